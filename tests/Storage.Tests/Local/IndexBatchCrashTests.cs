using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;

namespace EPostEdge.Storage.Tests.Local;

/// <summary>
/// The block index writes LiteDB in batches (BlockIndex.FlushEvery updates per commit), so at
/// any moment many acknowledged puts and deletes live only in memory, and the "indexed through"
/// mark moves while other puts are in flight. A power cut at a random moment of a concurrent
/// workload (index batches unwritten, LiteDB writes unsynced, puts between journal and index)
/// must lose no acknowledged block and bring back no acknowledged delete.
/// </summary>
public sealed class IndexBatchCrashTests
{
    private const int Writers = 4;

    private static readonly string[] CrashPoints =
    [
        FaultPointNames.JournalBeforeFsync,
        FaultPointNames.JournalAfterFsync,
        FaultPointNames.BlockBeforeIndexUpdate,
    ];

    [Fact]
    public async Task A_power_cut_with_index_batches_in_memory_loses_no_block_and_resurrects_no_delete()
    {
        var crashesWithPending = 0;
        var replaysFromMark = 0;
        for (var seed = 0UL; seed < 16; seed++)
        {
            try
            {
                var (pending, fromMark) = await RunSeed(seed);
                crashesWithPending += pending;
                replaysFromMark += fromMark;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"index batch crash seed {seed} failed: {ex.Message}", ex);
            }
        }

        // The test must exercise what it claims: crashes while the index held unwritten updates.
        // and reopens that trusted a surviving index's mark (not only full rebuilds).
        Assert.True(crashesWithPending >= 16, $"only {crashesWithPending} crashes found updates pending in memory");
        Assert.True(replaysFromMark >= 16, $"only {replaysFromMark} reopens replayed from a mark");
    }

    private static async Task<(int CrashesWithPending, int ReplaysFromMark)> RunSeed(ulong seed)
    {
        var random = new SeededRandomSource(seed);
        var disk = new CrashModelFileSystem(random.Fork());
        var faults = new FaultPoints();
        var options = new LocalStoreOptions { Journal = new() { SegmentSizeBytes = 64 * 1024 } };
        var acknowledged = new Dictionary<BlockKey, byte[]>();
        var deleted = new HashSet<BlockKey>();
        var crashesWithPending = 0;
        var replaysFromMark = 0;

        for (var cycle = 0; cycle < 3; cycle++)
        {
            var store = LocalStore.Open(disk, "/data/store", options, faults);
            if (cycle > 0 && !store.OpenReport.IndexRebuilt)
            {
                replaysFromMark++;
            }

            await AssertState(store, acknowledged, deleted, $"cycle {cycle}");

            // Cut the power from inside the store at one of its crash points, or after the workload.
            var point = CrashPoints[random.NextInt32(CrashPoints.Length)];
            var after = random.NextInt32(1, 400);
            var hits = 0;
            var crashed = 0;
            var pendingAtCrash = 0;
            void CutPower()
            {
                if (Interlocked.Exchange(ref crashed, 1) == 0)
                {
                    pendingAtCrash = store.Blocks.PendingIndexUpdates;
                    disk.Crash(CrashOutcomeRates.Even);
                }
            }

            faults.Handler = name =>
            {
                if (name == point && Interlocked.Increment(ref hits) >= after)
                {
                    CutPower();
                    throw new InjectedFaultException(name);
                }
            };

            var sync = new Lock();
            var writerRandoms = Enumerable.Range(0, Writers).Select(_ => random.Fork()).ToArray();
            await Task.WhenAll(writerRandoms.Select(writerRandom => Task.Run(async () =>
            {
                var mine = new List<BlockKey>();
                for (var op = 0; op < 200 && Volatile.Read(ref crashed) == 0; op++)
                {
                    try
                    {
                        if (mine.Count > 0 && writerRandom.NextInt32(6) == 0)
                        {
                            var victim = mine[writerRandom.NextInt32(mine.Count)];
                            mine.Remove(victim);
                            lock (sync)
                            {
                                acknowledged.Remove(victim); // unknown until the delete is acknowledged
                            }

                            if (await store.Blocks.DeleteAsync(victim))
                            {
                                lock (sync)
                                {
                                    deleted.Add(victim);
                                }
                            }
                        }
                        else
                        {
                            var content = writerRandom.NextBytes(writerRandom.NextInt32(1, 1500));
                            var key = await store.Blocks.PutAsync(content);
                            mine.Add(key);
                            lock (sync)
                            {
                                acknowledged[key] = content;
                            }
                        }
                    }
                    catch (Exception) when (Volatile.Read(ref crashed) == 1)
                    {
                        // The power is out: this operation is not acknowledged; stop writing.
                        break;
                    }
                }
            })));

            faults.Handler = null;
            CutPower(); // no-op if it already happened; never a clean close
            if (pendingAtCrash > 0)
            {
                crashesWithPending++;
            }

            try
            {
                await store.DisposeAsync();
            }
#pragma warning disable CA1031 // the disk is gone under it; closing may fail any way
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        await using var last = LocalStore.Open(disk, "/data/store", options);
        if (!last.OpenReport.IndexRebuilt)
        {
            replaysFromMark++;
        }

        await AssertState(last, acknowledged, deleted, "final");
        return (crashesWithPending, replaysFromMark);
    }

    private static async Task AssertState(LocalStore store, Dictionary<BlockKey, byte[]> acknowledged, HashSet<BlockKey> deleted, string context)
    {
        foreach (var (key, content) in acknowledged)
        {
            var found = await store.Blocks.GetAsync(key);
            Assert.True(found is not null, $"{context}: acknowledged block {key} is missing");
            Assert.Equal(content, found);
        }

        foreach (var key in deleted)
        {
            Assert.False(store.Blocks.Contains(key), $"{context}: deleted block {key} came back");
        }

        Assert.True(store.Blocks.Count >= acknowledged.Count, $"{context}: {store.Blocks.Count} blocks indexed, {acknowledged.Count} acknowledged");
    }
}
