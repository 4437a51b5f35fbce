using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Tests.Blocks;

/// <summary>
/// The index's in-memory batch: lookups see updates at once, LiteDB gets them a batch at a
/// time, and the "indexed through" mark is only ever committed together with the entries it covers.
/// </summary>
public sealed class BlockIndexTests
{
    private const string Directory = "/data/index";

    [Fact]
    public void Updates_are_visible_at_once_and_a_pending_delete_hides_a_written_entry()
    {
        var disk = NewDisk();
        using var index = BlockIndex.TryOpen(disk, Directory)!;
        var key = Key(1);

        index.Put(key, At(1));
        Assert.Equal(1, index.PendingCount);
        Assert.True(index.TryGet(key, out var found));
        Assert.Equal(At(1), found);

        index.Flush();
        Assert.Equal(0, index.PendingCount);
        Assert.True(index.TryGet(key, out _));

        index.Remove(key);
        Assert.False(index.TryGet(key, out _));
        Assert.Equal(0, index.Count);
        Assert.False(index.TryGet(key, out _));
    }

    [Fact]
    public void A_full_batch_is_written_in_one_go_and_the_next_updates_wait_in_memory()
    {
        var disk = NewDisk();
        using var index = BlockIndex.TryOpen(disk, Directory)!;
        for (var i = 0; i < BlockIndex.FlushEvery + 10; i++)
        {
            index.Put(Key(i), At(i + 1));
        }

        Assert.Equal(10, index.PendingCount);
        Assert.Equal(BlockIndex.FlushEvery + 10, index.Count);
    }

    [Fact]
    public void The_mark_is_committed_with_its_entries_and_updates_past_it_may_be_lost_in_a_crash()
    {
        var disk = NewDisk();
        using (var index = BlockIndex.TryOpen(disk, Directory)!)
        {
            for (var i = 0; i < 20; i++)
            {
                index.Put(Key(i), At(i + 1));
            }

            index.MarkIndexedThrough(20);

            // Later updates stay in memory: the power cut takes them (the journal replays them).
            index.Put(Key(100), At(21));
            index.Remove(Key(0));
        }

        // Closing writes nothing pending (LiteDB only checkpoints what it committed); then the power goes.
        disk.Crash(CrashOutcomeRates.Even);

        using var reopened = BlockIndex.TryOpen(disk, Directory)!;
        Assert.Equal(20, reopened.IndexedThrough);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(reopened.TryGet(Key(i), out var location), $"entry {i} covered by the mark is missing");
            Assert.Equal(At(i + 1), location);
        }

        Assert.False(reopened.TryGet(Key(100), out _));
        Assert.True(reopened.TryGet(Key(0), out _)); // its delete was past the mark: replay redoes it
    }

    [Fact]
    public void During_a_replay_the_mark_stays_put_until_the_replay_ends()
    {
        var disk = NewDisk();
        using (var index = BlockIndex.CreateEmpty(disk, Directory))
        {
            index.MarkSource = () => 10_000; // the block store would say "nothing in flight"
            index.BeginReplay();
            for (var i = 0; i < BlockIndex.FlushEvery * 2; i++)
            {
                index.Put(Key(i), At(i + 1));
            }

            index.MarkIndexedThrough(10_000);
            Assert.Equal(0, index.IndexedThrough);

        }

        // A rebuild that dies there must not look complete at the next open.
        disk.Crash(CrashOutcomeRates.Even);

        using (var reopened = BlockIndex.TryOpen(disk, Directory)!)
        {
            Assert.Equal(0, reopened.IndexedThrough);
            reopened.BeginReplay();
            reopened.Put(Key(0), At(1));
            reopened.EndReplay(1);
            Assert.Equal(1, reopened.IndexedThrough);
        }
    }

    [Fact]
    public async Task Lookups_while_the_first_batches_commit_see_every_entry_and_never_fail()
    {
        // LiteDB 5 fails reads of a collection that a concurrent transaction is creating
        // (litedb-org/LiteDB#2792); the index creates its collections when it opens.
        using var temp = new TempDirectory();
        using var index = BlockIndex.TryOpen(new PhysicalFileSystem(), temp.Path)!;
        var written = 0;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < BlockIndex.FlushEvery * 3; i++)
            {
                index.Put(Key(i), At(i + 1));
                Volatile.Write(ref written, i + 1);
            }
        });
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            for (var n = 0; !writer.IsCompleted; n++)
            {
                // Keys never put reach LiteDB itself (a put's "already held?" check does that).
                Assert.False(index.TryGet(Key(-1 - n), out _));
                var upTo = Volatile.Read(ref written);
                if (upTo > 0)
                {
                    var i = (int)(((long)n * 7919 + r) % upTo);
                    Assert.True(index.TryGet(Key(i), out var location), $"entry {i} vanished while batches were written");
                    Assert.Equal(At(i + 1), location);
                }
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]);
        Assert.Equal(BlockIndex.FlushEvery * 3, index.Count);
    }

    private static CrashModelFileSystem NewDisk()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(7));
        disk.CreateDirectory(Directory);
        return disk;
    }

    private static BlockKey Key(int i) => BlockKey.Of(BitConverter.GetBytes(i));

    private static BlockLocation At(long sequence) => new(new JournalPosition(sequence, 1, sequence * 100, 80), 40);
}
