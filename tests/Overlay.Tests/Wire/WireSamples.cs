using System.Net;
using CsCheck;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Tests.Ids;
using EPostEdge.Overlay.Wire;
using WireReader = EPostEdge.Overlay.Wire.WireReader;
using WireWriter = EPostEdge.Overlay.Wire.WireWriter;

namespace EPostEdge.Overlay.Tests.Wire;

/// <summary>Generators for every <see cref="OverlayMessage"/> and frame, and a field-by-field comparison of messages.</summary>
internal static class WireSamples
{
    /// <summary>IPv4 and IPv6 endpoints over the whole address and port range.</summary>
    public static readonly Gen<IPEndPoint> EndPoints = Gen.Select(Gen.Bool, Gen.Byte.Array[16], Gen.Int[0, ushort.MaxValue])
        .Select((v4, address, port) => new IPEndPoint(new IPAddress(v4 ? address[..4] : address), port));

    public static readonly Gen<NodeHandle> Handles = Gen.Select(IdModel.GenId, EndPoints).Select((id, endPoint) => new NodeHandle(id, endPoint));

    /// <summary>Up to 24 handles: a leaf set of L = 24 at most, or a routing-table row.</summary>
    public static readonly Gen<NodeHandle[]> HandleLists = Handles.Array[0, 24];

    /// <summary>Application payloads: 0..2000 bytes.</summary>
    public static readonly Gen<byte[]> Payloads = Gen.Byte.Array[0, 2000];

    public static readonly Gen<OverlayMessage> Messages = Gen.OneOf<OverlayMessage>(
        Gen.ULong.Select(n => (OverlayMessage)new PingMessage(n)),
        Gen.ULong.Select(n => (OverlayMessage)new PongMessage(n)),
        Gen.Select(Gen.Bool, HandleLists).Select((reply, members) => (OverlayMessage)new LeafSetMessage(reply, members)),
        Gen.Int[0, NodeId.Digits - 1].Select(row => (OverlayMessage)new RowRequestMessage(row)),
        Gen.Select(Gen.Int[0, NodeId.Digits - 1], HandleLists).Select((row, entries) => (OverlayMessage)new RowMessage(row, entries)),
        Gen.Select(Gen.ULong, IdModel.GenId, Gen.UShort, Gen.Int[0, byte.MaxValue], Gen.Bool, Handles, Payloads)
            .Select((id, key, app, hops, ack, source, payload) => (OverlayMessage)new RouteMessage(id, key, app, hops, ack, source, payload)),
        Gen.ULong.Select(n => (OverlayMessage)new HopAckMessage(n)),
        Gen.ULong.Select(n => (OverlayMessage)new RouteAckMessage(n)),
        Gen.Select(Gen.UShort, Payloads).Select((app, payload) => (OverlayMessage)new DirectMessage(app, payload)),
        Gen.Select(HandleLists, HandleLists).Select((leafSet, rows) => (OverlayMessage)new JoinReplyMessage(leafSet, rows)),
        Gen.Const<OverlayMessage>(new LeaveMessage()),
        Gen.Select(Handles, Payloads).Select((target, inner) => (OverlayMessage)new RelayMessage(target, inner)),
        Gen.Select(Handles, Payloads).Select((origin, inner) => (OverlayMessage)new RelayedMessage(origin, inner)));

    /// <summary>Link keys (32 bytes, as <c>NodeIdentity.DeriveLinkKey</c> makes them).</summary>
    public static readonly Gen<byte[]> LinkKeys = Gen.Byte.Array[32];

    /// <summary>No certificate, or opaque certificate bytes (the frame codec does not look inside).</summary>
    public static readonly Gen<byte[]> CertificateBytes = Gen.Frequency((1, Gen.Const(Array.Empty<byte>())), (2, Gen.Byte.Array[1, 400]));

    /// <summary>A whole authenticated frame with everything it was built from.</summary>
    public static readonly Gen<SampleFrame> Frames = Gen.Select(Messages, IdModel.GenId, Gen.Byte, CertificateBytes, LinkKeys)
        .Select((message, sender, flags, certificate, key) => new SampleFrame(
            message,
            sender,
            flags,
            certificate,
            key,
            Frame.EncodeAuthenticated(message, sender, flags, certificate, (data, tag) => LinkMac.Compute(key, data, tag))));

    public static byte[] Body(OverlayMessage message)
    {
        var writer = new WireWriter();
        message.WriteBody(writer);
        return writer.ToArray();
    }

    public static bool TryRead(MessageKind kind, ReadOnlySpan<byte> body, out OverlayMessage? message, out int remaining)
    {
        var reader = new WireReader(body);
        var ok = OverlayMessage.TryReadBody(kind, ref reader, out message);
        remaining = reader.Remaining;
        return ok;
    }

    /// <summary>
    /// Asserts two messages carry the same fields. Records compare lists and
    /// <see cref="ReadOnlyMemory{T}"/> by reference, so their generated equality is no use here.
    /// </summary>
    public static void AssertSame(OverlayMessage expected, OverlayMessage? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Kind, actual.Kind);
        switch (expected, actual)
        {
            case (LeafSetMessage e, LeafSetMessage a):
                Assert.Equal(e.IsReply, a.IsReply);
                Assert.Equal(e.Members, a.Members);
                break;
            case (RowMessage e, RowMessage a):
                Assert.Equal(e.Row, a.Row);
                Assert.Equal(e.Entries, a.Entries);
                break;
            case (RouteMessage e, RouteMessage a):
                Assert.Equal(e with { Payload = default }, a with { Payload = default });
                Assert.Equal(e.Payload.ToArray(), a.Payload.ToArray());
                break;
            case (DirectMessage e, DirectMessage a):
                Assert.Equal(e.ApplicationId, a.ApplicationId);
                Assert.Equal(e.Payload.ToArray(), a.Payload.ToArray());
                break;
            case (JoinReplyMessage e, JoinReplyMessage a):
                Assert.Equal(e.LeafSet, a.LeafSet);
                Assert.Equal(e.RowEntries, a.RowEntries);
                break;
            case (RelayMessage e, RelayMessage a):
                Assert.Equal(e.Target, a.Target);
                Assert.Equal(e.Inner.ToArray(), a.Inner.ToArray());
                break;
            case (RelayedMessage e, RelayedMessage a):
                Assert.Equal(e.Origin, a.Origin);
                Assert.Equal(e.Inner.ToArray(), a.Inner.ToArray());
                break;
            default:
                // The rest hold only value fields, so record equality is field equality.
                Assert.Equal(expected, actual);
                break;
        }
    }
}
