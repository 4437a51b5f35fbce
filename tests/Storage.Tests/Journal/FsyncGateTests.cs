using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;

namespace EPostEdge.Storage.Tests.Journal;

/// <summary>
/// fsyncgate (PostgreSQL, 2018): a failed fsync leaves the batch readable but never durable.
/// Found by the simulator (DiskScenarioExtensionTests, churn with disks, seed 3): the store was
/// reopened after the failure, scanned the lost batch as valid and appended behind it; the next
/// power cut left a hole there that read as a torn tail, and every acknowledged block and delete
/// after it was cut off with it.
/// </summary>
public sealed class FsyncGateTests
{
    private static readonly LocalStoreOptions Options = new() { Journal = new() { SegmentSizeBytes = 16 * 1024 }, Blocks = new() { ReserveFreeBytes = 0 } };

    [Theory]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public async Task Blocks_acknowledged_after_a_failed_fsync_and_a_reopen_survive_a_power_cut(ulong seed)
    {
        var random = new SeededRandomSource(seed);
        var disk = new CrashModelFileSystem(random.Fork());
        var acknowledged = new List<(BlockKey Key, byte[] Content)>();
        var deleted = new List<BlockKey>();
        var store = Open(disk);
        var failures = 0;
        for (var i = 0; i < 60; i++)
        {
            // Every few operations the fsync fails (sometimes the one of a rotation's new segment).
            disk.FailNextSync = random.NextInt32(5) == 0;
            try
            {
                if (acknowledged.Count > 3 && random.NextInt32(6) == 0)
                {
                    var victim = acknowledged[random.NextInt32(acknowledged.Count)];
                    acknowledged.Remove(victim);
                    Assert.True(await store.Blocks.DeleteAsync(victim.Key));
                    deleted.Add(victim.Key);
                }
                else
                {
                    var content = random.NextBytes(random.NextInt32(100, 3000));
                    acknowledged.Add((await store.Blocks.PutAsync(content), content));
                }
            }
            catch (IOException)
            {
                // Not acknowledged; the journal now refuses writes, so the node reopens its store.
                failures++;
                disk.FailNextSync = false;
                await store.DisposeAsync();
                store = Open(disk);
            }
        }

        disk.FailNextSync = false;
        Assert.True(failures > 3, $"only {failures} fsync failures");
        disk.Crash(new CrashOutcomeRates(Keep: 0, Drop: 1, Garble: 0));
        await using var reopened = LocalStore.Open(disk, "/data/store", Options);
        foreach (var (key, content) in acknowledged)
        {
            Assert.Equal(content, await reopened.Blocks.GetAsync(key));
        }

        Assert.All(deleted, key => Assert.False(reopened.Blocks.Contains(key), $"deleted block {key} came back"));
    }

    /// <summary>
    /// Opens the store and lets LiteDB's background log writes land, so the armed fsync failure
    /// meets the journal: a failed fsync in LiteDB's writer closes its engine for the store's life
    /// (every lookup then throws ObjectDisposedException), which is another finding, not this one.
    /// </summary>
    private static LocalStore Open(CrashModelFileSystem disk)
    {
        var store = LocalStore.Open(disk, "/data/store", Options);
        store.SettleIndex();
        return store;
    }
}
