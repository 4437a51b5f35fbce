using System.Net;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Nat.Network;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Nat.NatPmp;

/// <summary>
/// A NAT-PMP client (RFC 6886) of one gateway: external address (§3.2), map and renew (§3.3),
/// delete (§3.4). Each exchange uses its own socket connected to the gateway, so only the
/// gateway's answers are read (§3.1: a client must check the source) and an ICMP port
/// unreachable ends it at once.
/// </summary>
internal sealed class NatPmpClient(
    INatNetwork network,
    IPEndPoint server,
    IPAddress localAddress,
    TimeProvider time,
    IRandomSource random,
    UdpRetransmission retransmission) : IPortMappingClient
{
    public NatProtocol Protocol => NatProtocol.NatPmp;

    /// <summary>The gateway's epoch in its last answer (§3.6: a smaller one than expected means it lost its mappings).</summary>
    public uint? LastEpoch { get; private set; }

    /// <summary>§3.2: the gateway's external IPv4 address.</summary>
    public async Task<IPAddress> ExternalAddressAsync(CancellationToken cancellationToken)
    {
        var response = await ExchangeAsync(NatPmpCodec.ExternalAddressRequest(), NatPmpCodec.OpExternalAddress, null, cancellationToken).ConfigureAwait(false);
        if (response.ExternalAddress!.Equals(IPAddress.Any))
        {
            // §3.2: 0.0.0.0 while the gateway has no external address itself.
            throw new NatRefusedException($"NAT-PMP: {server} has no external address yet", (int)NatPmpResultCode.NetworkFailure);
        }

        return response.ExternalAddress;
    }

    public async Task<PortMapping> MapAsync(MappedTransport transport, int internalPort, int suggestedExternalPort, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var external = await ExternalAddressAsync(cancellationToken).ConfigureAwait(false);
        var request = NatPmpCodec.MapRequest(transport, checked((ushort)internalPort), checked((ushort)suggestedExternalPort), Seconds(lifetime));
        var response = await ExchangeAsync(request, NatPmpCodec.MapOpcode(transport), internalPort, cancellationToken).ConfigureAwait(false);
        if (response.Lifetime == 0 || response.ExternalPort == 0)
        {
            throw new NatProtocolException($"NAT-PMP: the gateway granted external port {response.ExternalPort} for {response.Lifetime} s");
        }

        return new PortMapping(NatProtocol.NatPmp, transport, external, internalPort, response.ExternalPort, TimeSpan.FromSeconds(response.Lifetime), time.GetUtcNow());
    }

    public async Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken)
    {
        // §3.4: lifetime 0 and suggested external port 0 delete the mapping of this internal port.
        var request = NatPmpCodec.MapRequest(mapping.Transport, checked((ushort)mapping.InternalPort), 0, 0);
        await ExchangeAsync(request, NatPmpCodec.MapOpcode(mapping.Transport), mapping.InternalPort, cancellationToken).ConfigureAwait(false);
    }

    private async Task<NatPmpResponse> ExchangeAsync(byte[] request, byte opcode, int? internalPort, CancellationToken cancellationToken)
    {
        using var socket = network.OpenDatagram(localAddress, server);
        NatPmpResponse answer = default;
        string? problem = null;
        var otherVersion = -1;
        bool Accept(ReadOnlyMemory<byte> datagram)
        {
            var bytes = datagram.Span;
            if (bytes.Length >= 4 && bytes[0] != NatPmpCodec.Version && (bytes[1] & 0x80) != 0 && bytes[3] == (byte)NatPmpResultCode.UnsupportedVersion)
            {
                // RFC 6887 §9: a PCP-only server answers a version-0 request with UNSUPP_VERSION in its own format.
                otherVersion = bytes[0];
                return true;
            }

            if (!NatPmpCodec.TryParseResponse(bytes, out var response, out var error))
            {
                problem = error;
                return false;
            }

            if (response.Opcode != NatPmpCodec.ResponseBit + opcode
                || (response.Result == NatPmpResultCode.Success && internalPort is { } port && response.InternalPort != port))
            {
                return false; // an answer to another request
            }

            answer = response;
            return true;
        }

        try
        {
            await DatagramExchange.RequestAsync(socket, server, request, retransmission, time, random, Accept, cancellationToken).ConfigureAwait(false);
        }
        catch (NatNoServerException e) when (problem is not null)
        {
            throw new NatProtocolException($"NAT-PMP: {server} answered only with bad responses: {problem}", e);
        }

        if (otherVersion >= 0)
        {
            throw new NatRefusedException($"NAT-PMP: {server} speaks only protocol version {otherVersion}", (int)NatPmpResultCode.UnsupportedVersion, unsupportedVersion: true);
        }

        LastEpoch = answer.Epoch;
        if (answer.Result != NatPmpResultCode.Success)
        {
            throw new NatRefusedException($"NAT-PMP: {server} refused: {NatPmpCodec.Describe(answer.Result)}", (int)answer.Result, answer.Result == NatPmpResultCode.UnsupportedVersion);
        }

        return answer;
    }

    private static uint Seconds(TimeSpan lifetime) => (uint)Math.Clamp(lifetime.TotalSeconds, 1, uint.MaxValue);
}
