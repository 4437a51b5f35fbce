using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;

namespace EPostEdge.Storage.Tests.Blocks;

/// <summary>The block store on real files: content addressing, verification on read, quota.</summary>
public sealed class BlockStoreTests
{
    [Fact]
    public async Task Put_then_get_returns_the_bytes_under_their_SHA256()
    {
        using var temp = new TempDirectory();
        await using var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        var content = "a block of mail"u8.ToArray();

        var key = await store.Blocks.PutAsync(content);

        Assert.Equal(BlockKey.Of(content), key);
        Assert.Equal(content, await store.Blocks.GetAsync(key));
        Assert.True(store.Blocks.Contains(key));
        Assert.Null(await store.Blocks.GetAsync(BlockKey.Of("absent"u8)));
    }

    [Fact]
    public async Task Putting_the_same_block_twice_writes_it_once()
    {
        using var temp = new TempDirectory();
        await using var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        var content = new SeededRandomSource(1).NextBytes(5000);

        await store.Blocks.PutAsync(content);
        var used = store.UsedBytes;
        await store.Blocks.PutAsync(content);

        Assert.Equal(used, store.UsedBytes);
        Assert.Equal(1, store.Blocks.Count);
    }

    [Fact]
    public async Task A_bit_flipped_on_disk_is_caught_by_the_record_checksum_and_the_block_is_refused()
    {
        using var temp = new TempDirectory();
        var content = new byte[4096];
        Array.Fill(content, (byte)'m');
        BlockKey key;
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path))
        {
            key = await store.Blocks.PutAsync(content);
            await store.Blocks.PutAsync("a later block"u8.ToArray());
        }

        // A latent sector error inside the first block's bytes.
        var segment = Directory.GetFiles(Path.Combine(temp.Path, "journal")).Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.AsSpan().IndexOf(content.AsSpan(0, 64)) + 100] ^= 0x01;
        await File.WriteAllBytesAsync(segment, bytes);

        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        Assert.Equal(1, reopened.OpenReport.Journal.CorruptRecords);
        await Assert.ThrowsAsync<CorruptBlockException>(async () => await reopened.Blocks.GetAsync(key));
        Assert.Equal("a later block"u8.ToArray(), await reopened.Blocks.GetAsync(BlockKey.Of("a later block"u8)));
    }

    [Fact]
    public async Task A_block_altered_under_a_valid_record_checksum_is_rejected_by_its_hash()
    {
        using var temp = new TempDirectory();
        var content = new byte[1000];
        Array.Fill(content, (byte)'m');
        BlockKey key;
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path))
        {
            key = await store.Blocks.PutAsync(content);
        }

        // Rewrite the record with other bytes and a freshly computed checksum, as a buggy or
        // malicious writer would: only the block's SHA-256 can tell.
        var segment = Directory.GetFiles(Path.Combine(temp.Path, "journal")).Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        var recordStart = 16;
        var payload = bytes.AsSpan(recordStart + 13, BlockKey.Size + content.Length).ToArray();
        payload[^1] ^= 0xFF;
        EPostEdge.Storage.Journal.RecordFormat.Write(bytes.AsSpan(recordStart), 1, StoreRecordKinds.BlockPut, payload);
        await File.WriteAllBytesAsync(segment, bytes);

        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path);
        await Assert.ThrowsAsync<CorruptBlockException>(async () => await reopened.Blocks.GetAsync(key));
    }

    [Fact]
    public async Task A_write_past_the_quota_fails_typed_and_writes_nothing()
    {
        using var temp = new TempDirectory();
        var options = new LocalStoreOptions { Blocks = new BlockStoreOptions { QuotaBytes = 64 * 1024 } };
        await using var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path, options);
        var random = new SeededRandomSource(2);
        var kept = new List<(BlockKey, byte[])>();
        QuotaExceededException? refused = null;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var content = random.NextBytes(3000);
            var usedBefore = store.UsedBytes;
            var countBefore = store.Blocks.Count;
            try
            {
                kept.Add((await store.Blocks.PutAsync(content), content));
            }
            catch (QuotaExceededException ex)
            {
                refused = ex;
                Assert.Equal(usedBefore, store.UsedBytes); // nothing half-written
                Assert.Equal(countBefore, store.Blocks.Count);
                Assert.False(store.Blocks.Contains(BlockKey.Of(content)));
            }
        }

        Assert.NotNull(refused);
        Assert.True(store.UsedBytes <= options.Blocks.QuotaBytes);
        Assert.Equal(64 * 1024, refused.QuotaBytes);

        // What was accepted is intact, and a block that fits is still accepted.
        foreach (var (key, content) in kept)
        {
            Assert.Equal(content, await store.Blocks.GetAsync(key));
        }

        await store.Blocks.PutAsync(new byte[10]);
    }

    [Fact]
    public async Task Deleted_blocks_stay_deleted_across_a_rebuild_and_compaction_gives_their_space_back()
    {
        using var temp = new TempDirectory();
        var options = new LocalStoreOptions { Journal = new() { SegmentSizeBytes = 16 * 1024 } };
        var random = new SeededRandomSource(3);
        var live = new Dictionary<BlockKey, byte[]>();
        var deleted = new List<BlockKey>();
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path, options))
        {
            for (var i = 0; i < 60; i++)
            {
                var content = random.NextBytes(2000);
                var key = await store.Blocks.PutAsync(content);
                if (i % 3 == 0)
                {
                    Assert.True(await store.Blocks.DeleteAsync(key));
                    deleted.Add(key);
                }
                else
                {
                    live[key] = content;
                }
            }

            var before = store.UsedBytes;
            await store.CompactAsync();
            Assert.True(store.UsedBytes < before, $"compaction freed nothing ({before} → {store.UsedBytes})");
            await AssertHolds(store, live, deleted);
            Assert.Equal(live.Count, await store.RebuildIndexAsync());
            await AssertHolds(store, live, deleted);
        }

        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path, options);
        await AssertHolds(reopened, live, deleted);
    }

    [Fact]
    public async Task Puts_and_deletes_racing_with_compaction_lose_nothing_and_resurrect_nothing()
    {
        using var temp = new TempDirectory();
        var options = new LocalStoreOptions { Journal = new() { SegmentSizeBytes = 8 * 1024 } };
        var live = new System.Collections.Concurrent.ConcurrentDictionary<BlockKey, byte[]>();
        var deleted = new System.Collections.Concurrent.ConcurrentBag<BlockKey>();
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), temp.Path, options))
        {
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var random = new SeededRandomSource((ulong)w + 100);
                for (var i = 0; i < 150; i++)
                {
                    var content = random.NextBytes(random.NextInt32(1, 700));
                    var key = await store.Blocks.PutAsync(content);
                    if (random.NextInt32(3) == 0)
                    {
                        await store.Blocks.DeleteAsync(key);
                        deleted.Add(key);
                    }
                    else
                    {
                        live[key] = content;
                    }
                }
            })).ToList();
            var compactions = 0;
            while (!writers.All(t => t.IsCompleted))
            {
                await store.CompactAsync();
                compactions++;
                await Task.Delay(5); // compaction is periodic; back to back it would starve the writers
            }

            await Task.WhenAll(writers);
            Assert.True(compactions > 1);
            await AssertHolds(store, new(live), [.. deleted]);
        }

        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), temp.Path, options);
        await AssertHolds(reopened, new(live), [.. deleted]);
        Assert.Equal(live.Count, await reopened.RebuildIndexAsync());
        await AssertHolds(reopened, new(live), [.. deleted]);
    }

    private static async Task AssertHolds(LocalStore store, Dictionary<BlockKey, byte[]> live, List<BlockKey> deleted)
    {
        foreach (var (key, content) in live)
        {
            Assert.Equal(content, await store.Blocks.GetAsync(key));
        }

        foreach (var key in deleted)
        {
            Assert.False(store.Blocks.Contains(key));
        }

        Assert.Equal(live.Count, store.Blocks.Count);
    }
}
