using CsCheck;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Post;

public sealed class UserIdentityTests
{
    [Fact]
    public void Sign_then_verify_round_trips_for_any_message() =>
        Gen.Select(Gen.ULong, Gen.Byte.Array[0, 4096]).Sample((seed, message) =>
        {
            using var identity = UserIdentity.Create(new SeededRandomSource(seed));
            var signature = identity.Sign(message);
            Assert.Equal(UserPublicKeys.SignatureSize, signature.Length);
            Assert.True(identity.PublicKeys.Verify(message, signature));
        }, iter: 200);

    [Fact]
    public void A_flipped_bit_in_message_or_signature_fails_verify() =>
        Gen.Select(Gen.ULong, Gen.Byte.Array[1, 1024], Gen.Int[0, int.MaxValue], Gen.Bool).Sample((seed, message, position, inSignature) =>
        {
            using var identity = UserIdentity.Create(new SeededRandomSource(seed));
            var signature = identity.Sign(message);
            var target = inSignature ? signature : message;
            var bit = position % (target.Length * 8);
            target[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(identity.PublicKeys.Verify(message, signature));
        }, iter: 300);

    [Fact]
    public void Another_users_key_does_not_verify()
    {
        var random = new SeededRandomSource(7);
        using var alice = UserIdentity.Create(random);
        using var mallory = UserIdentity.Create(random);
        var message = "hello"u8.ToArray();
        Assert.False(alice.PublicKeys.Verify(message, mallory.Sign(message)));
        Assert.False(alice.PublicKeys.Verify(message, new byte[63]));
    }

    [Fact]
    public void Same_seed_gives_same_identity_and_different_seeds_differ()
    {
        using var a = UserIdentity.Create(new SeededRandomSource(42));
        using var b = UserIdentity.Create(new SeededRandomSource(42));
        using var c = UserIdentity.Create(new SeededRandomSource(43));
        Assert.Equal(a.PublicKeys, b.PublicKeys);
        Assert.NotEqual(a.PublicKeys, c.PublicKeys);
    }

    [Fact]
    public void Public_keys_encode_and_decode_and_id_is_sha256_of_signing_key()
    {
        using var identity = UserIdentity.Create(new SeededRandomSource(1));
        var encoded = identity.PublicKeys.Encode();
        Assert.Equal(UserPublicKeys.EncodedSize, encoded.Length);
        var decoded = UserPublicKeys.Decode(encoded);
        Assert.Equal(identity.PublicKeys, decoded);
        Assert.Equal(identity.Id, decoded.Id);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(encoded.AsSpan(0, 32))), decoded.Id.ToString());
        Assert.Equal(decoded.Id, UserId.Parse(decoded.Id.ToString()));
    }

    [Fact]
    public void Public_keys_of_the_wrong_length_are_a_format_error()
    {
        Assert.Throws<PostFormatException>(() => UserPublicKeys.Decode(new byte[63]));
        Assert.Throws<PostFormatException>(() => UserPublicKeys.Decode(new byte[65]));
        Assert.False(UserPublicKeys.TryDecode([], out _));
    }

    [Fact]
    public void ToString_shows_the_id_and_no_key_material()
    {
        var random = new SeededRandomSource(5);
        using var identity = UserIdentity.Create(new SeededRandomSource(5));
        Span<byte> seeds = stackalloc byte[64];
        random.NextBytes(seeds);
        var text = identity.ToString();
        Assert.Contains(identity.Id.ToString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(seeds[..32]), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(seeds[32..]), text, StringComparison.Ordinal);
    }
}
