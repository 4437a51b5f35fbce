using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>
/// How a request over UDP is repeated until answered: the first wait, doubled after each try,
/// for a number of tries, each wait spread by ±<see cref="Jitter"/> (RFC 6887 §8.1.1's RAND).
/// </summary>
/// <param name="Initial">The wait after the first send.</param>
/// <param name="Attempts">Sends in all before giving up.</param>
/// <param name="Jitter">Fraction each wait is spread by, at random (0 for none).</param>
internal readonly record struct UdpRetransmission(TimeSpan Initial, int Attempts, double Jitter)
{
    /// <summary>RFC 6886 §3.1: 250 ms, doubling, nine tries (about 64 s in all).</summary>
    public static UdpRetransmission NatPmp { get; } = new(TimeSpan.FromMilliseconds(250), 9, 0);

    /// <summary>
    /// RFC 6887 §8.1.1: IRT 3 s, doubling, RAND ±0.1. The RFC retries without end; we stop after
    /// four (about 45 s) so that discovery moves on to the next protocol.
    /// </summary>
    public static UdpRetransmission Pcp { get; } = new(TimeSpan.FromSeconds(3), 4, 0.1);

    /// <summary>Every wait in order.</summary>
    public IEnumerable<TimeSpan> Waits(IRandomSource random)
    {
        var wait = Initial;
        for (var i = 0; i < Attempts; i++)
        {
            yield return Jitter == 0 ? wait : wait * (1 + (((2 * random.NextDouble()) - 1) * Jitter));
            wait *= 2;
        }
    }
}
