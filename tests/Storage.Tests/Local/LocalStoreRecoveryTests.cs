using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;

namespace EPostEdge.Storage.Tests.Local;

/// <summary>
/// The index is derived state: deleted, garbled, or left behind by a crash at any point, the
/// store reopens with every acknowledged block.
/// </summary>
public sealed class LocalStoreRecoveryTests
{
    [Fact]
    public async Task Deleting_the_LiteDB_files_rebuilds_the_index_with_every_block()
    {
        using var temp = new TempDirectory();
        var blocks = await FillAsync(new PhysicalFileSystem(), temp.Path, count: 80, seed: 1);
        File.Delete(Path.Combine(temp.Path, "index.litedb"));
        File.Delete(Path.Combine(temp.Path, "index-log.litedb"));

        await using var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        Assert.True(store.OpenReport.IndexRebuilt);
        Assert.Equal(blocks.Count, store.Blocks.Count);
        await AssertAllPresent(store, blocks);
    }

    [Fact]
    public async Task A_garbled_LiteDB_file_is_rebuilt_on_start()
    {
        using var temp = new TempDirectory();
        var blocks = await FillAsync(new PhysicalFileSystem(), temp.Path, count: 40, seed: 2);
        var index = Path.Combine(temp.Path, "index.litedb");
        var junk = new SeededRandomSource(9).NextBytes((int)new FileInfo(index).Length);
        await File.WriteAllBytesAsync(index, junk);

        await using var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        Assert.True(store.OpenReport.IndexRebuilt);
        await AssertAllPresent(store, blocks);
    }

    [Fact]
    public async Task An_index_ahead_of_a_journal_that_lost_its_tail_is_rebuilt_from_the_journal()
    {
        using var temp = new TempDirectory();
        var random = new SeededRandomSource(3);
        var kept = new Dictionary<BlockKey, byte[]>();
        BlockKey lost;
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path))
        {
            for (var i = 0; i < 10; i++)
            {
                var content = random.NextBytes(500);
                kept[await store.Blocks.PutAsync(content)] = content;
            }

            lost = await store.Blocks.PutAsync(random.NextBytes(500));
        }

        // The last record goes missing from the journal (a restored old backup, a bad card)
        // while the index still knows it.
        var segment = Directory.GetFiles(Path.Combine(temp.Path, "journal")).Single();
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }

        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        Assert.True(reopened.OpenReport.IndexRebuilt);
        Assert.False(reopened.Blocks.Contains(lost));
        await AssertAllPresent(reopened, kept);
    }

    [Fact]
    public async Task A_crash_between_journal_and_index_loses_no_acknowledged_block()
    {
        for (var seed = 0UL; seed < 40; seed++)
        {
            var random = new SeededRandomSource(seed);
            var disk = new CrashModelFileSystem(random.Fork());
            var faults = new FaultPoints();
            var acknowledged = new Dictionary<BlockKey, byte[]>();
            string[] points = [FaultPointNames.BlockBeforeIndexUpdate, FaultPointNames.JournalBeforeFsync, FaultPointNames.JournalAfterFsync];

            for (var cycle = 0; cycle < 3; cycle++)
            {
                var store = LocalStore.Open(disk, "/data/store", new LocalStoreOptions(), faults);
                await AssertAllPresent(store, acknowledged, $"seed {seed} cycle {cycle}");
                var point = points[random.NextInt32(points.Length)];
                var after = random.NextInt32(1, 20);
                var hits = 0;
                faults.Handler = name =>
                {
                    if (name == point && ++hits >= after)
                    {
                        throw new InjectedFaultException(name);
                    }
                };

                try
                {
                    for (var i = 0; i < 25; i++)
                    {
                        var content = random.NextBytes(random.NextInt32(1, 3000));
                        acknowledged[await store.Blocks.PutAsync(content)] = content;
                    }
                }
                catch (IOException)
                {
                    // the injected crash (or the journal refusing writes after it)
                }

                faults.Handler = null;
                try
                {
                    await store.DisposeAsync();
                }
                catch (IOException)
                {
                    // closing after a "crash" may fail; the disk is about to be cut anyway
                }

                disk.Crash(CrashOutcomeRates.Even);
            }

            await using var last = LocalStore.Open(disk, "/data/store");
            await AssertAllPresent(last, acknowledged, $"seed {seed} final");
        }
    }

    private static async Task<Dictionary<BlockKey, byte[]>> FillAsync(IFileSystem fileSystem, string directory, int count, ulong seed)
    {
        var random = new SeededRandomSource(seed);
        var blocks = new Dictionary<BlockKey, byte[]>();
        await using var store = LocalStore.Open(fileSystem, directory, new LocalStoreOptions { Journal = new() { SegmentSizeBytes = 32 * 1024 } });
        for (var i = 0; i < count; i++)
        {
            var content = random.NextBytes(random.NextInt32(1, 8000));
            blocks[await store.Blocks.PutAsync(content)] = content;
        }

        return blocks;
    }

    private static async Task AssertAllPresent(LocalStore store, Dictionary<BlockKey, byte[]> blocks, string context = "")
    {
        foreach (var (key, content) in blocks)
        {
            var found = await store.Blocks.GetAsync(key);
            Assert.True(found is not null, $"{context}: acknowledged block {key} is missing");
            Assert.Equal(content, found);
        }
    }
}
