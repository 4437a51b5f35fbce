using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Local;

/// <summary>A signed log on the local store journals each entry and its head in one batch.</summary>
public sealed class LogAppendBatchTests
{
    [Fact]
    public async Task An_append_costs_one_journal_fsync_and_survives_a_restart()
    {
        using var temp = new TempDirectory();
        var random = new SeededRandomSource(21);
        using var owner = UserIdentity.Create(random);
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path))
        {
            using var log = SignedLog.Open(owner, "INBOX", store.Blocks, store.Heads, random);
            for (var i = 0; i < 5; i++)
            {
                var before = store.JournalSyncCount;
                await log.AppendAsync(new[] { (byte)i });
                Assert.Equal(before + 1, store.JournalSyncCount);
            }
        }

        DeleteIndex(temp.Path); // replay from the journal alone
        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        using var again = SignedLog.Open(owner, "INBOX", reopened.Blocks, reopened.Heads, random);
        Assert.Equal([0, 1, 2, 3, 4], (await again.ReadAsync()).Select(p => (int)p[0]));
        Assert.Equal(5UL, again.Head!.Version);
    }

    [Fact]
    public async Task A_head_whose_entry_record_was_torn_is_not_replayed()
    {
        using var temp = new TempDirectory();
        var random = new SeededRandomSource(22);
        using var owner = UserIdentity.Create(random);
        LogEntry second;
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path))
        {
            using var log = SignedLog.Open(owner, "INBOX", store.Blocks, store.Heads, random);
            await log.AppendAsync("first"u8.ToArray());
            second = await log.AppendAsync("second"u8.ToArray());
        }

        // A crash mid-batch as the journal can see it: the entry's record is damaged but the
        // head's record after it is whole, so the open scan skips the entry and keeps the head.
        DeleteIndex(temp.Path);
        var segment = Directory.GetFiles(Path.Combine(temp.Path, "journal")).Single();
        var bytes = File.ReadAllBytes(segment);
        var at = bytes.AsSpan().IndexOf(second.Encoded.Span);
        Assert.True(at > 0);
        bytes[at + (second.Encoded.Length / 2)] ^= 0x5a;
        File.WriteAllBytes(segment, bytes);

        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        Assert.False(reopened.Blocks.Contains(second.Key));
        using var again = SignedLog.Open(owner, "INBOX", reopened.Blocks, reopened.Heads, random);
        Assert.Equal(1UL, again.Head!.Version); // the log is whole at its previous head
        Assert.Equal(["first"], (await again.ReadAsync()).Select(p => System.Text.Encoding.UTF8.GetString(p)));

        // And it goes on from there.
        await again.AppendAsync("third"u8.ToArray());
        Assert.Equal(["first", "third"], (await again.ReadAsync()).Select(p => System.Text.Encoding.UTF8.GetString(p)));
    }

    private static void DeleteIndex(string directory)
    {
        foreach (var file in Directory.GetFiles(directory, "*.litedb"))
        {
            File.Delete(file);
        }
    }
}
