using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Local;

/// <summary>POST on the real local store, on real files: signed logs survive a restart, and nothing at rest is plaintext.</summary>
public sealed class SecureStoreOnDiskTests
{
    private static readonly byte[] Marker = "Dear Grandma, the PIN is 4921 -- plaintext marker"u8.ToArray();

    [Fact]
    public async Task A_signed_log_survives_a_restart_and_verifies_from_public_keys()
    {
        using var temp = new TempDirectory();
        var random = new SeededRandomSource(5);
        using var owner = UserIdentity.Create(random);
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path))
        {
            using var inbox = SignedLog.Open(owner, "INBOX", store.Blocks, store.Heads, random);
            for (var i = 0; i < 20; i++)
            {
                await inbox.AppendAsync(System.Text.Encoding.UTF8.GetBytes($"message {i}"));
            }
        }

        // A restart: heads come back from the journal, entries from the block store.
        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        using var again = SignedLog.Open(owner, "INBOX", reopened.Blocks, reopened.Heads, random);
        var payloads = await again.ReadAsync();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"message {i}"), payloads.Select(p => System.Text.Encoding.UTF8.GetString(p)));
        Assert.Equal(20UL, again.Head!.Version);
        var chain = await SignedLog.VerifyChainAsync(again.Head, owner.PublicKeys, "INBOX", reopened.Blocks);
        Assert.Equal(20, chain.Count);

        // Compaction keeps only the newest head and every entry; the log still reads back.
        await reopened.CompactAsync();
        Assert.Equal(20, (await again.ReadAsync()).Count);
    }

    [Fact]
    public async Task A_scan_of_the_data_folder_after_storing_known_plaintext_finds_none_of_it()
    {
        using var temp = new TempDirectory();
        var random = new SeededRandomSource(6);
        using var owner = UserIdentity.Create(random);
        using var friend = UserIdentity.Create(random);
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path, new LocalStoreOptions { Journal = new() { SegmentSizeBytes = 64 * 1024 } }))
        {
            using var sent = SignedLog.Open(owner, "Sent", store.Blocks, store.Heads, random);
            for (var i = 0; i < 30; i++)
            {
                await sent.AppendAsync(Marker);
                await store.Blocks.PutAsync(SecureBlock.Seal(Marker, owner.PublicKeys, [friend.PublicKeys], random));
            }

            await store.CompactAsync();
        }

        // The key backup lives in the data folder too; it must not hold the private key in clear.
        var backup = KeyBackup.Seal(owner, "correct horse battery staple", new KeyBackupParameters(8 * 1024, 1), random);
        await File.WriteAllBytesAsync(Path.Combine(temp.Path, "owner.key"), backup);

        var files = Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".litedb", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains("journal", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            for (var i = 0; i + 12 <= Marker.Length; i++)
            {
                Assert.True(bytes.AsSpan().IndexOf(Marker.AsSpan(i, 12)) < 0, $"plaintext found in {file}");
            }

            Assert.True(bytes.AsSpan().IndexOf("Grandma"u8) < 0, $"plaintext found in {file}");
        }
    }
}
