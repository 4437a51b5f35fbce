using System.Net;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Nat.Network;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Nat.Pcp;

/// <summary>
/// A PCP client (RFC 6887) of one gateway, MAP opcode only (§11): map, renew (the same request
/// with the same nonce, §11.2.1), delete (lifetime 0, §15). A response is taken only when its
/// nonce, protocol and internal port are this request's (§11.4). A version-0 answer means a
/// NAT-PMP-only gateway (§9): reported as <see cref="NatRefusedException.UnsupportedVersion"/>.
/// </summary>
internal sealed class PcpClient(
    INatNetwork network,
    IPEndPoint server,
    IPAddress localAddress,
    TimeProvider time,
    IRandomSource random,
    UdpRetransmission retransmission) : IPortMappingClient
{
    private readonly Dictionary<(MappedTransport, int), PcpNonce> _nonces = [];
    private readonly Dictionary<(MappedTransport, int), PortMapping> _granted = [];

    public NatProtocol Protocol => NatProtocol.Pcp;

    /// <summary>The server's epoch in its last answer (§8.5).</summary>
    public uint? LastEpoch { get; private set; }

    public async Task<PortMapping> MapAsync(MappedTransport transport, int internalPort, int suggestedExternalPort, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var key = (transport, internalPort);
        if (!_nonces.TryGetValue(key, out var nonce))
        {
            nonce = PcpNonce.Random(random);
            _nonces[key] = nonce;
        }

        // §11.2.1: a renewal suggests what was granted before.
        var suggestedAddress = _granted.TryGetValue(key, out var before) ? before.ExternalAddress : IPAddress.Any;
        var request = PcpCodec.MapRequest(nonce, transport, checked((ushort)internalPort), checked((ushort)suggestedExternalPort), suggestedAddress, (uint)Math.Clamp(lifetime.TotalSeconds, 1, uint.MaxValue), localAddress);
        var response = await ExchangeAsync(request, nonce, transport, internalPort, cancellationToken).ConfigureAwait(false);
        var map = response.Map!.Value;
        if (response.Lifetime == 0 || map.ExternalPort == 0)
        {
            throw new NatProtocolException($"PCP: the gateway granted external port {map.ExternalPort} for {response.Lifetime} s");
        }

        var mapping = new PortMapping(NatProtocol.Pcp, transport, map.ExternalAddress, internalPort, map.ExternalPort, TimeSpan.FromSeconds(response.Lifetime), time.GetUtcNow());
        _granted[key] = mapping;
        return mapping;
    }

    public async Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken)
    {
        var key = (mapping.Transport, mapping.InternalPort);
        if (!_nonces.TryGetValue(key, out var nonce))
        {
            return; // not ours: the server would refuse a delete with another nonce
        }

        var request = PcpCodec.MapRequest(nonce, mapping.Transport, checked((ushort)mapping.InternalPort), checked((ushort)mapping.ExternalPort), mapping.ExternalAddress, 0, localAddress);
        await ExchangeAsync(request, nonce, mapping.Transport, mapping.InternalPort, cancellationToken).ConfigureAwait(false);
        _nonces.Remove(key);
        _granted.Remove(key);
    }

    private async Task<PcpResponse> ExchangeAsync(byte[] request, PcpNonce nonce, MappedTransport transport, int internalPort, CancellationToken cancellationToken)
    {
        using var socket = network.OpenDatagram(localAddress, server);
        PcpResponse answer = default;
        string? problem = null;
        var protocol = PcpCodec.ProtocolNumber(transport);
        bool Accept(ReadOnlyMemory<byte> datagram)
        {
            if (!PcpCodec.TryParseResponse(datagram.Span, out var response, out var error))
            {
                problem = error;
                return false;
            }

            if (response.Version != PcpCodec.Version)
            {
                answer = response;
                return true;
            }

            if (response.Opcode != PcpCodec.OpMap
                || (response.Map is { } map && (map.Nonce != nonce || map.Protocol != protocol || map.InternalPort != internalPort)))
            {
                return false; // another request's answer
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
            throw new NatProtocolException($"PCP: {server} answered only with bad responses: {problem}", e);
        }

        if (answer.Version != PcpCodec.Version)
        {
            var what = answer.Version == 0 ? "NAT-PMP (version 0)" : $"version {answer.Version}";
            throw new NatRefusedException($"PCP: {server} speaks {what}, not PCP version 2", (int)PcpResultCode.UnsupportedVersion, unsupportedVersion: true);
        }

        LastEpoch = answer.Epoch;
        if (answer.Result != PcpResultCode.Success)
        {
            throw new NatRefusedException($"PCP: {server} refused: {PcpCodec.Describe(answer.Result)}", (int)answer.Result, answer.Result == PcpResultCode.UnsupportedVersion);
        }

        return answer;
    }
}
