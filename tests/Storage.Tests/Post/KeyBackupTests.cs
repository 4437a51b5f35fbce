using CsCheck;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Post;

public sealed class KeyBackupTests
{
    // Tests use a tiny Argon2id cost; the format stores it, so Restore uses whatever sealed.
    private static readonly KeyBackupParameters Cheap = new(KeyBackupParameters.MinMemorySizeKiB, 1);

    [Fact]
    public void Round_trip_restores_an_identity_that_signs_verifiably_with_the_original_public_key() =>
        Gen.Select(Gen.ULong, Gen.String[1, 40]).Sample((seed, passphrase) =>
        {
            var random = new SeededRandomSource(seed);
            using var original = UserIdentity.Create(random);
            var backup = KeyBackup.Seal(original, passphrase, Cheap, random);
            Assert.Equal(KeyBackup.EncodedSize, backup.Length);
            Assert.Equal(original.PublicKeys, KeyBackup.ReadPublicKeys(backup));

            using var restored = KeyBackup.Restore(backup, passphrase);
            Assert.Equal(original.PublicKeys, restored.PublicKeys);
            var message = "restored"u8.ToArray();
            Assert.True(original.PublicKeys.Verify(message, restored.Sign(message)));

            // The restored X25519 key opens blocks sealed to the original.
            var sealedBlock = SecureBlock.Seal(message, [original.PublicKeys], random);
            Assert.Equal(message, SecureBlock.Open(sealedBlock, restored));
        }, iter: 30);

    [Fact]
    public void Default_parameters_round_trip()
    {
        var random = new SeededRandomSource(1);
        using var original = UserIdentity.Create(random);
        var backup = KeyBackup.Seal(original, "correct horse battery staple", random);
        using var restored = KeyBackup.Restore(backup, "correct horse battery staple");
        Assert.Equal(original.PublicKeys, restored.PublicKeys);
        Assert.Equal(new KeyBackupParameters(64 * 1024, 3), KeyBackupParameters.Default);
    }

    [Fact]
    public void A_wrong_passphrase_fails_with_a_clear_typed_error()
    {
        var random = new SeededRandomSource(2);
        using var original = UserIdentity.Create(random);
        var backup = KeyBackup.Seal(original, "right", Cheap, random);
        var e = Assert.Throws<WrongPassphraseException>(() => KeyBackup.Restore(backup, "wrong"));
        Assert.Contains("passphrase is wrong", e.Message, StringComparison.Ordinal);
        Assert.Throws<WrongPassphraseException>(() => KeyBackup.Restore(backup, ""));
    }

    [Fact]
    public void Any_single_byte_tamper_fails() =>
        Gen.Select(Gen.Int[0, KeyBackup.EncodedSize - 1], Gen.Byte[1, 255]).Sample((position, xor) =>
        {
            var random = new SeededRandomSource(3);
            using var original = UserIdentity.Create(random);
            var backup = KeyBackup.Seal(original, "pass", Cheap, random);
            backup[position] ^= xor;
            var e = Record.Exception(() => KeyBackup.Restore(backup, "pass").Dispose());
            Assert.True(e is WrongPassphraseException or PostFormatException, $"byte {position}: {e?.GetType().Name ?? "no exception"}");
        }, iter: 200);

    [Fact]
    public void Malformed_files_are_format_errors()
    {
        var random = new SeededRandomSource(4);
        using var original = UserIdentity.Create(random);
        var backup = KeyBackup.Seal(original, "pass", Cheap, random);
        for (var length = 0; length < backup.Length; length++)
        {
            Assert.Throws<PostFormatException>(() => KeyBackup.Restore(backup.AsSpan(0, length), "pass"));
        }

        Assert.Throws<PostFormatException>(() => KeyBackup.Restore([.. backup, 0], "pass"));

        var hugeMemory = backup.ToArray();
        hugeMemory[5] = 0xFF; // memory KiB u32 big-endian: ~4 TiB
        Assert.Throws<PostFormatException>(() => KeyBackup.Restore(hugeMemory, "pass"));
    }

    [Fact]
    public void Out_of_range_parameters_are_refused_when_sealing()
    {
        var random = new SeededRandomSource(5);
        using var original = UserIdentity.Create(random);
        Assert.Throws<ArgumentException>(() => KeyBackup.Seal(original, "pass", new KeyBackupParameters(4, 1), random));
        Assert.Throws<ArgumentException>(() => KeyBackup.Seal(original, "pass", new KeyBackupParameters(1024, 0), random));
        Assert.ThrowsAny<ArgumentException>(() => KeyBackup.Seal(original, "", Cheap, random));
    }

    [Fact]
    public void The_backup_does_not_contain_the_private_keys_in_the_clear()
    {
        var seeds = new SeededRandomSource(6).NextBytes(64);
        var random = new SeededRandomSource(6);
        using var original = UserIdentity.Create(random);
        var backup = KeyBackup.Seal(original, "pass", Cheap, random);
        Assert.Equal(-1, backup.AsSpan().IndexOf(seeds.AsSpan(0, 16)));
        Assert.Equal(-1, backup.AsSpan().IndexOf(seeds.AsSpan(32, 16)));
    }
}
