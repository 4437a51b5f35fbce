using EPostEdge.EdgeNode.Nat.Network;

namespace EPostEdge.EdgeNode.Nat;

/// <summary>How long port mapping waits for what: the protocols' retransmissions and the retries after a failure.</summary>
/// <param name="Pcp">PCP's request retransmission.</param>
/// <param name="NatPmp">NAT-PMP's request retransmission.</param>
/// <param name="SsdpWait">How long M-SEARCH answers are collected (two rounds of half each).</param>
/// <param name="FirstRetry">The wait after a failed discovery, doubled after each further failure.</param>
/// <param name="MaxRetry">The longest wait between discoveries.</param>
/// <param name="RemoveTimeout">How long removing the mappings at stop may take.</param>
internal sealed record NatTimings(UdpRetransmission Pcp, UdpRetransmission NatPmp, TimeSpan SsdpWait, TimeSpan FirstRetry, TimeSpan MaxRetry, TimeSpan RemoveTimeout)
{
    /// <summary>The RFCs' retransmissions; SSDP MX 2 + 1 s; retries from 1 min to 30 min.</summary>
    public static NatTimings Default { get; } = new(UdpRetransmission.Pcp, UdpRetransmission.NatPmp, TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(3));
}
