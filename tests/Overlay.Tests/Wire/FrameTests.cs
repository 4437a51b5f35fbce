using CsCheck;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Wire;
using static EPostEdge.Overlay.Tests.Wire.WireSamples;

namespace EPostEdge.Overlay.Tests.Wire;

/// <summary>
/// Whole frames: an authenticated frame parses back to its parts, and no truncation, bit flip or
/// random datagram is accepted (it fails to parse, or its MAC fails) or throws.
/// </summary>
public sealed class FrameTests
{
    [Fact]
    public void An_authenticated_frame_parses_back_to_its_parts() =>
        Frames.Sample(sample =>
        {
            var frame = sample.Bytes;
            Assert.True(SampleFrame.Accepted(frame, sample.Key, out var header), sample.ToString());
            Assert.Equal(sample.Message.Kind, header.Kind);
            Assert.Equal(sample.Sender, header.Sender);
            Assert.Equal(sample.Certificate.Length > 0, header.HasCertificate);
            var expectedFlags = sample.Certificate.Length > 0 ? sample.Flags | Frame.CertificateIncluded : sample.Flags & ~Frame.CertificateIncluded;
            Assert.Equal(expectedFlags, header.Flags);
            Assert.Equal(sample.Certificate, frame[header.Certificate]);
            Assert.Equal(frame.Length - Frame.MacSize, header.Mac.Start.GetOffset(frame.Length));
            Assert.Equal(Body(sample.Message), frame[header.Body]);

            Assert.True(TryRead(header.Kind, frame[header.Body], out var decoded, out var remaining));
            Assert.Equal(0, remaining);
            AssertSame(sample.Message, decoded);
        }, iter: 1000);

    [Fact]
    public void A_frame_under_another_link_key_fails_the_MAC() =>
        Gen.Select(Frames, LinkKeys).Where((s, k) => !s.Key.AsSpan().SequenceEqual(k)).Sample((sample, otherKey) =>
            Assert.False(SampleFrame.Accepted(sample.Bytes, otherKey, out _)));

    [Fact]
    public void Every_strict_prefix_fails_to_parse_or_fails_the_MAC() =>
        Frames.Sample(sample =>
        {
            for (var length = 0; length < sample.Bytes.Length; length++)
            {
                Assert.False(SampleFrame.Accepted(sample.Bytes.AsSpan(0, length), sample.Key, out _), $"{sample}: prefix of {length} accepted");
            }
        }, iter: 100);

    [Fact]
    public void Any_flipped_bit_fails_to_parse_or_fails_the_MAC() =>
        Gen.Select(Frames, Gen.Int[0, int.MaxValue]).Sample((sample, pick) =>
        {
            var bit = pick % (sample.Bytes.Length * 8);
            var flipped = Flip(sample.Bytes, bit);
            Assert.False(SampleFrame.Accepted(flipped, sample.Key, out _), $"{sample}: bit {bit} flipped and accepted");
        }, iter: 20000);

    [Fact]
    public void Every_flipped_bit_of_small_frames_is_caught() =>
        Frames.Where(s => s.Bytes.Length <= 200).Sample(sample =>
        {
            for (var bit = 0; bit < sample.Bytes.Length * 8; bit++)
            {
                Assert.False(SampleFrame.Accepted(Flip(sample.Bytes, bit), sample.Key, out _), $"{sample}: bit {bit} flipped and accepted");
            }
        }, iter: 100);

    [Fact]
    public void Random_datagrams_never_throw() =>
        Gen.Frequency(
            (1, Gen.Byte.Array[0, 1500]),
            // Plausible headers: the right version, a known kind, then garbage.
            (2, Gen.Select(Gen.OneOf(Enum.GetValues<MessageKind>().Select(k => Gen.Const((byte)k)).ToArray()), Gen.Byte, Gen.Byte.Array[0, 1500])
                .Select((kind, flags, rest) => (byte[])[Frame.Version, kind, flags, .. rest])))
            .Sample(bytes => ParseLikeTheNode(bytes), iter: 20000);

    [Fact]
    public void Unauthenticated_frames_round_trip_and_refuse_trailing_bytes() =>
        Gen.Select(Gen.OneOf(Gen.Const(MessageKind.Hello), Gen.Const(MessageKind.EnrollRequest), Gen.Const(MessageKind.EnrollReply)), Gen.Byte, Gen.Byte.Array[0, 600])
            .Sample((kind, flags, blob) =>
            {
                var frame = Frame.EncodeUnauthenticated(kind, flags, blob);
                Assert.True(Frame.TryReadHeader(frame, out var header));
                Assert.Equal(kind, header.Kind);
                Assert.Equal(flags, header.Flags);
                Assert.Equal(blob, frame[header.Body]);
                Assert.False(Frame.TryReadHeader([.. frame, 0], out _));
                for (var length = 0; length < frame.Length; length++)
                {
                    Assert.False(Frame.TryReadHeader(frame.AsSpan(0, length), out _));
                }
            }, iter: 200);

    [Fact]
    public void Unauthenticated_encoding_refuses_authenticated_kinds() =>
        Assert.Throws<ArgumentException>(() => Frame.EncodeUnauthenticated(MessageKind.Ping, 0, []));

    [Fact]
    public void Other_versions_and_unknown_kinds_are_refused() =>
        Frames.Sample(sample =>
        {
            var frame = sample.Bytes.ToArray();
            frame[0] = (byte)(Frame.Version + 1);
            Assert.False(Frame.TryReadHeader(frame, out _));
            frame[0] = Frame.Version;
            frame[1] = 0;
            Assert.False(Frame.TryReadHeader(frame, out _));
            frame[1] = 200;
            Assert.False(Frame.TryReadHeader(frame, out _));
        });

    [Fact]
    public void An_included_certificate_may_not_be_empty()
    {
        // version, Ping, certificate flag, sender, certificate length 0, body, MAC
        byte[] frame = [Frame.Version, (byte)MessageKind.Ping, Frame.CertificateIncluded, .. new byte[NodeId.Size], 0, 0, .. new byte[8], .. new byte[Frame.MacSize]];
        Assert.False(Frame.TryReadHeader(frame, out _));
    }

    /// <summary>What <c>PastryNode</c> does with a datagram before it knows the sender: parse the header, then the body.</summary>
    private static void ParseLikeTheNode(byte[] bytes)
    {
        if (!Frame.TryReadHeader(bytes, out var header))
        {
            return;
        }

        // The ranges always lie inside the frame.
        _ = bytes[header.Body];
        if (Frame.IsAuthenticated(header.Kind))
        {
            _ = bytes[header.Certificate];
            Assert.Equal(Frame.MacSize, bytes[header.Mac].Length);
            TryRead(header.Kind, bytes[header.Body], out _, out _);
            if (header.HasCertificate)
            {
                NodeCertificate.TryDecode(bytes[header.Certificate], out _, out _);
            }
        }
        else
        {
            NodeCertificate.TryDecode(bytes[header.Body], out _, out _);
        }
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        var copy = bytes.ToArray();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
