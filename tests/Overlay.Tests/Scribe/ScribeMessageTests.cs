using System.Net;
using CsCheck;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Scribe;

namespace EPostEdge.Overlay.Tests.Scribe;

public sealed class ScribeMessageTests
{
    private static readonly Gen<NodeId> GenId = Gen.Byte.Array[NodeId.Size].Select(b => NodeId.Read(b));

    private static readonly Gen<NodeHandle> GenHandle = Gen.Select(
        GenId,
        Gen.Bool.SelectMany(v6 => Gen.Byte.Array[v6 ? 16 : 4]),
        Gen.Int[0, ushort.MaxValue])
        .Select((id, address, port) => new NodeHandle(id, new IPEndPoint(new IPAddress(address), port)));

    private static readonly Gen<byte[]> GenPayload = Gen.Byte.Array[0, 300];

    private static readonly Gen<ScribeMessage> GenMessage = Gen.OneOf(
        Gen.Select(
            OneOf(ScribeMessageKind.Create, ScribeMessageKind.JoinAck, ScribeMessageKind.Heartbeat, ScribeMessageKind.Refresh, ScribeMessageKind.Leave),
            GenId).Select((kind, group) => ScribeMessage.Control(kind, group)),
        Gen.Select(GenId, GenHandle).Select((group, hop) => ScribeMessage.Join(group, hop)),
        Gen.Select(
            OneOf(ScribeMessageKind.Multicast, ScribeMessageKind.Data, ScribeMessageKind.Anycast),
            GenId,
            GenPayload).Select((kind, group, payload) => ScribeMessage.WithPayload(kind, group, payload)),
        Gen.Select(
            GenId,
            GenHandle.Array[0, ScribeMessage.MaxPathLength],
            Gen.Bool.SelectMany(back => back ? GenId.Select(id => (NodeId?)id) : Gen.Const((NodeId?)null)),
            Gen.Int[0, ushort.MaxValue],
            GenPayload).Select((group, path, back, steps, payload) => ScribeMessage.AnycastSearch(group, path, back, steps, payload)));

    private static Gen<ScribeMessageKind> OneOf(params ScribeMessageKind[] kinds) =>
        Gen.Int[0, kinds.Length - 1].Select(i => kinds[i]);

    [Fact]
    public void Every_message_survives_a_round_trip()
    {
        GenMessage.Sample(message =>
        {
            var bytes = message.Encode();
            Assert.True(ScribeMessage.TryDecode(bytes, out var decoded));
            AssertSame(message, decoded);
            Assert.Equal(bytes, decoded.Encode());
        });
    }

    [Fact]
    public void No_strict_prefix_of_a_message_decodes()
    {
        GenMessage.Sample(message =>
        {
            var bytes = message.Encode();
            for (var length = 0; length < bytes.Length; length++)
            {
                Assert.False(ScribeMessage.TryDecode(bytes.AsSpan(0, length), out _), $"prefix of {length}/{bytes.Length} bytes decoded");
            }
        }, iter: 300);
    }

    [Fact]
    public void A_trailing_byte_is_rejected()
    {
        GenMessage.Sample(message =>
        {
            var bytes = message.Encode();
            Assert.False(ScribeMessage.TryDecode([.. bytes, 0], out _));
        });
    }

    [Fact]
    public void Another_version_is_rejected()
    {
        Gen.Select(GenMessage, Gen.Byte.Where(v => v != ScribeMessage.Version)).Sample((message, version) =>
        {
            var bytes = message.Encode();
            bytes[0] = version;
            Assert.False(ScribeMessage.TryDecode(bytes, out _));
        });
    }

    [Fact]
    public void Garbage_never_throws()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            if (ScribeMessage.TryDecode(bytes, out var message))
            {
                Assert.Equal(bytes, message.Encode()); // whatever decodes is a canonical encoding
            }
        }, iter: 10_000);
    }

    [Fact]
    public void A_corrupted_message_never_throws()
    {
        Gen.Select(GenMessage, Gen.Int, Gen.Byte).Sample((message, position, value) =>
        {
            var bytes = message.Encode();
            bytes[(int)((uint)position % (uint)bytes.Length)] = value;
            if (ScribeMessage.TryDecode(bytes, out var decoded))
            {
                Assert.Equal(bytes, decoded.Encode());
            }
        }, iter: 5_000);
    }

    [Fact]
    public void The_decoded_payload_does_not_alias_the_input()
    {
        GenPayload.Where(p => p.Length > 0).Sample(payload =>
        {
            var bytes = ScribeMessage.WithPayload(ScribeMessageKind.Data, NodeId.Zero, payload).Encode();
            Assert.True(ScribeMessage.TryDecode(bytes, out var decoded));
            Array.Clear(bytes);
            Assert.Equal(payload, decoded.Payload.ToArray());
        });
    }

    [Fact]
    public void A_search_path_longer_than_the_limit_is_rejected()
    {
        var hop = new NodeHandle(NodeId.Max, new IPEndPoint(IPAddress.Loopback, 1));
        var full = ScribeMessage.AnycastSearch(NodeId.Zero, Enumerable.Repeat(hop, ScribeMessage.MaxPathLength).ToArray(), null, 0, default).Encode();
        var countAt = 2 + NodeId.Size + 2 + 1;
        Assert.Equal(ScribeMessage.MaxPathLength, full[countAt]);
        Assert.True(ScribeMessage.TryDecode(full, out _));

        full[countAt] = ScribeMessage.MaxPathLength + 1;
        Assert.False(ScribeMessage.TryDecode(full, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ScribeMessage.AnycastSearch(NodeId.Zero, Enumerable.Repeat(hop, ScribeMessage.MaxPathLength + 1).ToArray(), null, 0, default));
    }

    private static void AssertSame(ScribeMessage expected, ScribeMessage actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Group, actual.Group);
        Assert.Equal(expected.Hop, actual.Hop);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
        Assert.Equal(expected.Path, actual.Path);
        Assert.Equal(expected.ReturningFrom, actual.ReturningFrom);
        Assert.Equal(expected.Steps, actual.Steps);
    }
}
