using System.Collections.Concurrent;
using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Transport;
using EPostEdge.Overlay.Wire;
using NSec.Cryptography;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>
/// A real loopback socket that speaks the overlay's wire format without being a node: it sends
/// hand-made frames and records every datagram that comes back. The hostile tests' attacker.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly SocketTransport _transport;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    private RawPeer(SocketTransport transport)
    {
        _transport = transport;
        _receiving = Task.Run(ReceiveAsync);
    }

    public IPEndPoint EndPoint => _transport.LocalEndPoint;

    /// <summary>Every datagram received so far.</summary>
    public ConcurrentQueue<Datagram> Received { get; } = new();

    public static async Task<RawPeer> BindAsync() =>
        new(await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), new SocketTransportOptions { MaxDatagramSize = 2048 }));

    public ValueTask SendAsync(IPEndPoint destination, byte[] frame) => _transport.SendDatagramAsync(destination, frame);

    /// <summary>The received frames that parse as authenticated (what only a certified peer may get).</summary>
    public List<(FrameHeader Header, byte[] Frame)> AuthenticatedFrames() =>
        Received.Select(d => d.Payload.ToArray())
            .Select(f => (Ok: Frame.TryReadHeader(f, out var h), Header: h, Frame: f))
            .Where(x => x.Ok && Frame.IsAuthenticated(x.Header.Kind))
            .Select(x => (x.Header, x.Frame))
            .ToList();

    /// <summary>An authenticated frame as <paramref name="sender"/> would send it, MAC'd with <paramref name="linkKey"/>.</summary>
    public static byte[] Authenticated(OverlayMessage message, NodeId sender, byte flags, NodeCertificate? certificate, byte[] linkKey) =>
        Frame.EncodeAuthenticated(message, sender, flags, certificate is null ? [] : certificate.Encoded.Span, (data, tag) => LinkMac.Compute(linkKey, data, tag));

    public static byte[] Hello(NodeCertificate certificate, byte flags = Frame.WantsReply | Frame.SenderJoined) =>
        Frame.EncodeUnauthenticated(MessageKind.Hello, flags, certificate.Encoded.Span);

    /// <summary>
    /// The link key the receiver derives for a certificate that claims <paramref name="claimedId"/>
    /// but carries the X25519 key of the identity made from <paramref name="identitySeed"/> (see
    /// <see cref="NodeIdentity.DeriveLinkKey"/>): lets a test MAC a frame correctly for a
    /// certificate whose id is a lie, so only the certificate check can stop it.
    /// </summary>
    public static byte[] LinkKeyAs(ulong identitySeed, NodeId claimedId, NodeCertificate peer)
    {
        // NodeIdentity.Create draws the Ed25519 seed and then the X25519 private key, 32 bytes each, in one call.
        var seeds = new byte[64];
        new SeededRandomSource(identitySeed).NextBytes(seeds);
        using var agreement = Key.Import(KeyAgreementAlgorithm.X25519, seeds.AsSpan(32), KeyBlobFormat.RawPrivateKey);
        var peerKey = PublicKey.Import(KeyAgreementAlgorithm.X25519, peer.AgreementKey.Span, KeyBlobFormat.RawPublicKey);
        using var shared = KeyAgreementAlgorithm.X25519.Agree(agreement, peerKey)!;
        var (low, high) = claimedId < peer.Id ? (claimedId, peer.Id) : (peer.Id, claimedId);
        byte[] info = [.. "epostedge link v1"u8, .. low.ToBytes(), .. high.ToBytes()];
        return KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(shared, [], info, 32);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _transport.DisposeAsync();
        try
        {
            await _receiving;
        }
        catch (Exception)
        {
            // The loop ends with the transport.
        }

        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Received.Enqueue(await _transport.ReceiveDatagramAsync(_stop.Token));
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
