using CsCheck;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Tests.Ids;
using EPostEdge.Overlay.Wire;
using static EPostEdge.Overlay.Tests.Wire.WireSamples;

namespace EPostEdge.Overlay.Tests.Wire;

/// <summary>
/// Message bodies: <see cref="OverlayMessage.WriteBody"/> and <see cref="OverlayMessage.TryReadBody"/>
/// are exact inverses, and nothing truncated, overlong or random is accepted or throws.
/// </summary>
public sealed class OverlayMessageTests
{
    [Fact]
    public void The_generator_makes_every_authenticated_kind()
    {
        var kinds = new HashSet<MessageKind>();
        Messages.Sample(m => { lock (kinds) { kinds.Add(m.Kind); } }, iter: 2000);
        var authenticated = Enum.GetValues<MessageKind>().Where(Frame.IsAuthenticated).ToHashSet();
        Assert.True(authenticated.SetEquals(kinds), $"not generated: {string.Join(", ", authenticated.Except(kinds))}");
    }

    [Fact]
    public void A_body_round_trips() =>
        Messages.Sample(message =>
        {
            var body = Body(message);
            Assert.True(TryRead(message.Kind, body, out var decoded, out var remaining));
            Assert.Equal(0, remaining);
            AssertSame(message, decoded);
        }, iter: 2000);

    [Fact]
    public void Every_strict_prefix_of_a_body_fails_or_leaves_bytes() =>
        Messages.Sample(message =>
        {
            var body = Body(message);
            for (var length = 0; length < body.Length; length++)
            {
                var ok = TryRead(message.Kind, body.AsSpan(0, length), out _, out var remaining);
                Assert.True(!ok || remaining != 0, $"{message.Kind}: a prefix of {length} of {body.Length} bytes decoded whole");
            }
        }, iter: 300);

    [Fact]
    public void Trailing_bytes_are_left_for_the_node_to_reject() =>
        Gen.Select(Messages, Gen.Byte.Array[1, 40]).Sample((message, tail) =>
        {
            byte[] body = [.. Body(message), .. tail];
            Assert.True(TryRead(message.Kind, body, out var decoded, out var remaining));
            Assert.Equal(tail.Length, remaining);
            AssertSame(message, decoded);
        }, iter: 500);

    [Fact]
    public void Random_bytes_never_throw_for_any_kind() =>
        Gen.Select(Gen.Byte, Gen.Byte.Array[0, 300]).Sample((kind, bytes) =>
        {
            var ok = TryRead((MessageKind)kind, bytes, out var message, out var remaining);
            Assert.Equal(ok, message is not null);
            Assert.InRange(remaining, 0, bytes.Length);
            if (!Frame.IsAuthenticated((MessageKind)kind) || !Enum.IsDefined((MessageKind)kind))
            {
                Assert.False(ok); // only authenticated kinds have message bodies
            }
        }, iter: 20000);

    [Fact]
    public void Row_numbers_past_the_last_digit_are_refused() =>
        Gen.Int[NodeId.Digits, byte.MaxValue].Sample(row =>
        {
            Assert.False(TryRead(MessageKind.RowRequest, [(byte)row], out _, out _));
            Assert.False(TryRead(MessageKind.Row, [(byte)row, 0], out _, out _));
        });

    [Fact]
    public void A_full_handle_list_of_255_round_trips_and_256_throws()
    {
        var handles = Handles.Array[byte.MaxValue].Single();
        var message = new JoinReplyMessage(handles, handles);
        Assert.True(TryRead(MessageKind.JoinReply, Body(message), out var decoded, out var remaining));
        Assert.Equal(0, remaining);
        AssertSame(message, decoded);

        Assert.Throws<ArgumentOutOfRangeException>(() => Body(new LeafSetMessage(false, [.. handles, handles[0]])));

        // A join reply's row entries are capped rather than refused: the join gathers them unbounded.
        var capped = Body(new JoinReplyMessage([], [.. handles, handles[0]]));
        Assert.True(TryRead(MessageKind.JoinReply, capped, out var cappedReply, out _));
        Assert.Equal(handles, ((JoinReplyMessage)cappedReply!).RowEntries);
    }

    [Fact]
    public void Hops_past_255_are_written_as_255() =>
        Gen.Int[byte.MaxValue, 10_000].Sample(hops =>
        {
            var message = new RouteMessage(1, IdModel.GenId.Single(), 7, hops, false, Handles.Single(), new byte[] { 1 });
            Assert.True(TryRead(MessageKind.Route, Body(message), out var decoded, out _));
            Assert.Equal(byte.MaxValue, ((RouteMessage)decoded!).Hops);
        }, iter: 20);

    [Fact]
    public void Booleans_other_than_0_and_1_are_refused() =>
        Gen.Byte[2, 255].Sample(b =>
        {
            Assert.False(TryRead(MessageKind.LeafSet, [b, 0], out _, out _));
            var route = Body(new RouteMessage(1, NodeId.Zero, 7, 0, false, Handles.Single(), Array.Empty<byte>()));
            route[8 + NodeId.Size + 2 + 1] = b; // the WantsRootAck byte
            Assert.False(TryRead(MessageKind.Route, route, out _, out _));
        });
}
