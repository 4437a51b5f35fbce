using CsCheck;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Post;

public sealed class SecureBlockTests
{
    private static readonly Gen<(ulong Seed, byte[] Content, int Readers)> Blocks =
        Gen.Select(Gen.ULong, Gen.Byte.Array[0, 64 * 1024], Gen.Int[1, 4]);

    [Fact]
    public void Every_reader_opens_and_a_non_reader_cannot() =>
        Blocks.Sample((seed, content, readerCount) =>
        {
            var random = new SeededRandomSource(seed);
            var readers = Enumerable.Range(0, readerCount).Select(_ => UserIdentity.Create(random)).ToList();
            using var outsider = UserIdentity.Create(random);
            var sealedBlock = SecureBlock.Seal(content, readers.Select(r => r.PublicKeys), random);

            Assert.Equal(content.Length + SecureBlock.Overhead(readerCount), sealedBlock.Length);
            foreach (var reader in readers)
            {
                Assert.Equal(content, SecureBlock.Open(sealedBlock, reader));
            }

            var e = Assert.Throws<SecureBlockOpenException>(() => SecureBlock.Open(sealedBlock, outsider));
            Assert.Equal(SecureBlockOpenFailure.NotAReader, e.Failure);
            readers.ForEach(r => r.Dispose());
        }, iter: 40);

    // The seal path calls libsodium directly (LibSodium); this rebuilds a one-reader block the
    // way NSec does it, from the same random draws, and wants the very same bytes.
    [Fact]
    public void Sealing_gives_the_bytes_of_the_NSec_construction() =>
        Gen.Select(Gen.ULong, Gen.Byte.Array[0, 4096]).Sample((seed, content) =>
        {
            using var reader = UserIdentity.Create(new SeededRandomSource(seed ^ 0x5eed));
            var sealedBlock = SecureBlock.Seal(content, [reader.PublicKeys], new SeededRandomSource(seed));

            var draws = new SeededRandomSource(seed);
            var nonce = new byte[24];
            var contentKey = new byte[32];
            var ephemeralSeed = new byte[32];
            draws.NextBytes(nonce);
            draws.NextBytes(contentKey);
            draws.NextBytes(ephemeralSeed);
            var aead = NSec.Cryptography.AeadAlgorithm.XChaCha20Poly1305;
            using var ephemeral = NSec.Cryptography.Key.Import(NSec.Cryptography.KeyAgreementAlgorithm.X25519, ephemeralSeed, NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
            var ephemeralPublic = ephemeral.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
            var readerPublic = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.KeyAgreementAlgorithm.X25519, reader.PublicKeys.AgreementKey, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
            using var shared = NSec.Cryptography.KeyAgreementAlgorithm.X25519.Agree(ephemeral, readerPublic)!;
            byte[] info = [.. "epost-edge/secure-block/wrap/v1"u8, .. ephemeralPublic, .. reader.PublicKeys.AgreementKey];
            using var kek = NSec.Cryptography.KeyDerivationAlgorithm.HkdfSha256.DeriveKey(shared, [], info, aead);

            var headerSize = 1 + 24 + 2 + 8 + 32 + 48;
            Assert.Equal(nonce, sealedBlock[1..25]);
            Assert.Equal(ephemeralPublic, sealedBlock[35..67]);
            byte[] wrapAd = [1, .. nonce, .. sealedBlock[27..67]];
            Assert.Equal(aead.Encrypt(kek, new byte[24], wrapAd, contentKey), sealedBlock[67..headerSize]);
            using var key = NSec.Cryptography.Key.Import(aead, contentKey, NSec.Cryptography.KeyBlobFormat.RawSymmetricKey);
            Assert.Equal(aead.Encrypt(key, nonce, sealedBlock[..headerSize], content), sealedBlock[headerSize..]);
        }, iter: 20);

    [Fact]
    public void The_owner_is_always_a_reader_and_duplicates_are_dropped()
    {
        var random = new SeededRandomSource(11);
        using var owner = UserIdentity.Create(random);
        using var friend = UserIdentity.Create(random);
        var sealedBlock = SecureBlock.Seal("x"u8, owner.PublicKeys, [friend.PublicKeys, owner.PublicKeys, friend.PublicKeys], random);
        Assert.Equal(1 + SecureBlock.Overhead(2), sealedBlock.Length);
        Assert.Equal("x"u8.ToArray(), SecureBlock.Open(sealedBlock, owner));
        Assert.Equal("x"u8.ToArray(), SecureBlock.Open(sealedBlock, friend));
        Assert.Throws<ArgumentException>(() => SecureBlock.Seal("x"u8, [], random));
    }

    [Fact]
    public void Any_single_byte_tamper_fails_open() =>
        Gen.Select(Blocks, Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Sample((block, position, xor) =>
        {
            var (seed, content, readerCount) = block;
            var random = new SeededRandomSource(seed);
            var readers = Enumerable.Range(0, readerCount).Select(_ => UserIdentity.Create(random)).ToList();
            var sealedBlock = SecureBlock.Seal(content, readers.Select(r => r.PublicKeys), random);
            sealedBlock[position % sealedBlock.Length] ^= xor;
            foreach (var reader in readers)
            {
                Assert.False(SecureBlock.TryOpen(sealedBlock, reader, out var opened, out var failure));
                Assert.Null(opened);
                Assert.NotEqual(SecureBlockOpenFailure.None, failure);
                reader.Dispose();
            }
        }, iter: 60);

    [Fact]
    public void Flipping_each_byte_of_a_small_block_in_turn_fails_open_for_both_readers()
    {
        var random = new SeededRandomSource(3);
        using var a = UserIdentity.Create(random);
        using var b = UserIdentity.Create(random);
        var sealedBlock = SecureBlock.Seal("a short secret"u8, [a.PublicKeys, b.PublicKeys], random);
        for (var i = 0; i < sealedBlock.Length; i++)
        {
            var tampered = sealedBlock.ToArray();
            tampered[i] ^= 0x01;
            Assert.False(SecureBlock.TryOpen(tampered, a, out _, out _), $"byte {i} (reader a)");
            Assert.False(SecureBlock.TryOpen(tampered, b, out _, out _), $"byte {i} (reader b)");
        }
    }

    [Fact]
    public void Every_truncation_and_extension_is_refused_without_an_untyped_exception()
    {
        var random = new SeededRandomSource(4);
        using var reader = UserIdentity.Create(random);
        var sealedBlock = SecureBlock.Seal("payload"u8, [reader.PublicKeys], random);
        for (var length = 0; length < sealedBlock.Length; length++)
        {
            Assert.False(SecureBlock.TryOpen(sealedBlock.AsSpan(0, length), reader, out _, out var failure));
            Assert.NotEqual(SecureBlockOpenFailure.None, failure);
        }

        byte[] extended = [.. sealedBlock, 0];
        Assert.Throws<SecureBlockOpenException>(() => SecureBlock.Open(extended, reader));
    }

    [Fact]
    public void Random_bytes_fail_with_the_typed_exception_only() =>
        Gen.Select(Gen.ULong, Gen.Byte.Array[0, 600]).Sample((seed, garbage) =>
        {
            using var reader = UserIdentity.Create(new SeededRandomSource(seed));
            if (garbage.Length > 0)
            {
                garbage[0] = SecureBlock.FormatVersion; // get past the version byte most of the time
            }

            Assert.Throws<SecureBlockOpenException>(() => SecureBlock.Open(garbage, reader));
        }, iter: 300);

    [Fact]
    public void Unknown_version_is_reported_as_such()
    {
        var random = new SeededRandomSource(8);
        using var reader = UserIdentity.Create(random);
        var sealedBlock = SecureBlock.Seal("v"u8, [reader.PublicKeys], random);
        sealedBlock[0] = 2;
        Assert.Equal(SecureBlockOpenFailure.UnsupportedVersion, Assert.Throws<SecureBlockOpenException>(() => SecureBlock.Open(sealedBlock, reader)).Failure);
    }

    [Fact]
    public void A_tampered_block_is_rejected_by_its_hash_and_by_the_store() =>
        Gen.Select(Blocks, Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Sample((block, position, xor) =>
        {
            var (seed, content, _) = block;
            var random = new SeededRandomSource(seed);
            using var owner = UserIdentity.Create(random);
            var sealedBlock = SecureBlock.Seal(content, [owner.PublicKeys], random);
            var key = SecureBlock.KeyOf(sealedBlock);
            Assert.Equal(BlockKey.Of(sealedBlock), key);

            var store = new MemoryBlockStore();
            Assert.Equal(key, store.PutAsync(sealedBlock).AsTask().Result);
            var index = position % sealedBlock.Length;
            store.Corrupt(key, bytes =>
            {
                bytes[index] ^= xor;
                return bytes;
            });

            var tampered = sealedBlock.ToArray();
            tampered[index] ^= xor;
            Assert.False(key.Matches(tampered));
            Assert.ThrowsAsync<CorruptBlockException>(() => store.GetAsync(key).AsTask()).GetAwaiter().GetResult();
        }, iter: 60);

    [Fact]
    public void Sealing_twice_gives_different_bytes_and_keys()
    {
        var random = new SeededRandomSource(9);
        using var owner = UserIdentity.Create(random);
        var first = SecureBlock.Seal("same"u8, [owner.PublicKeys], random);
        var second = SecureBlock.Seal("same"u8, [owner.PublicKeys], random);
        Assert.NotEqual(SecureBlock.KeyOf(first), SecureBlock.KeyOf(second));
    }
}
