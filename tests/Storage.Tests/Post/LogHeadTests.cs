using CsCheck;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Post;

public sealed class LogHeadTests
{
    private static readonly Gen<string> Names = Gen.OneOf(Gen.Const("INBOX"), Gen.Const("Sent"), Gen.Const("Entwürfe"), Gen.String.AlphaNumeric.Where(s => s.Length is > 0 and < 200));

    [Fact]
    public void Encode_decode_round_trips_byte_for_byte_and_verifies() =>
        Gen.Select(Gen.ULong, Names, Gen.ULong, Gen.Byte.Array[32].Null()).Sample((seed, name, version, newest) =>
        {
            using var owner = UserIdentity.Create(new SeededRandomSource(seed));
            var head = LogHead.Sign(owner, name, version, newest is null ? null : new BlockKey(newest));
            var encoded = head.Encode();
            var decoded = LogHead.Decode(encoded);
            Assert.Equal(encoded, decoded.Encode());
            Assert.True(decoded.HasSameContent(head));
            Assert.True(decoded.VerifySignature());
            Assert.Equal(owner.PublicKeys, decoded.Owner);
        }, iter: 200);

    [Fact]
    public void A_flipped_bit_anywhere_fails_decode_or_signature() =>
        Gen.Select(Gen.ULong, Gen.Int[0, int.MaxValue]).Sample((seed, position) =>
        {
            using var owner = UserIdentity.Create(new SeededRandomSource(seed));
            var encoded = LogHead.Sign(owner, "INBOX", 7, BlockKey.Of("e"u8)).Encode();
            var bit = position % (encoded.Length * 8);
            encoded[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(LogHead.TryDecode(encoded, out var head) && head.VerifySignature());
        }, iter: 500);

    [Fact]
    public void Every_truncation_is_a_format_error()
    {
        using var owner = UserIdentity.Create(new SeededRandomSource(2));
        var encoded = LogHead.Sign(owner, "INBOX", 1, BlockKey.Of("e"u8)).Encode();
        for (var length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<PostFormatException>(() => LogHead.Decode(encoded.AsSpan(0, length)));
        }

        Assert.Throws<PostFormatException>(() => LogHead.Decode([.. encoded, 0]));
    }

    [Fact]
    public void Random_bytes_never_throw_anything_but_the_format_error() =>
        Gen.Byte.Array[0, 300].Sample(garbage =>
        {
            if (garbage.Length > 0)
            {
                garbage[0] = LogHead.FormatVersion;
            }

            try
            {
                _ = LogHead.Decode(garbage);
            }
            catch (PostFormatException)
            {
            }
        }, iter: 1000);

    [Fact]
    public void The_signature_is_domain_separated()
    {
        using var owner = UserIdentity.Create(new SeededRandomSource(3));
        var head = LogHead.Sign(owner, "INBOX", 1, null);
        var message = LogHead.SignedMessage(owner.PublicKeys, "INBOX", 1, null);
        Assert.StartsWith("epost-edge/log-head/v1", System.Text.Encoding.ASCII.GetString(message), StringComparison.Ordinal);

        // The same body signed without the prefix is not a valid head signature.
        var body = head.Encode().AsSpan(0, head.Encode().Length - UserPublicKeys.SignatureSize);
        var forged = new LogHead(owner.PublicKeys, "INBOX", 1, null, owner.Sign(body));
        Assert.False(forged.VerifySignature());
    }

    [Fact]
    public void Bad_log_names_are_refused()
    {
        using var owner = UserIdentity.Create(new SeededRandomSource(4));
        Assert.ThrowsAny<ArgumentException>(() => LogHead.Sign(owner, "", 1, null));
        Assert.ThrowsAny<ArgumentException>(() => LogHead.Sign(owner, new string('x', 256), 1, null));
        Assert.ThrowsAny<ArgumentException>(() => LogHead.Sign(owner, "\ud800", 1, null));
        _ = LogHead.Sign(owner, new string('x', 255), 1, null);
    }
}
