using CsCheck;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;
using EPostEdge.Storage.Past;

namespace EPostEdge.Storage.Tests.Past;

/// <summary>
/// The node's held store on real files: what a put acknowledged, and every renewal and removal
/// made before a clean stop, is there after a reopen; the quota refuses; damaged bytes come back
/// as lost, for the service to drop.
/// </summary>
public sealed class LocalHeldStoreTests
{
    [Fact]
    public async Task Items_survive_a_reopen_with_their_bytes_leases_and_versions()
    {
        using var temp = new TempDirectory();
        var random = new SeededRandomSource(1);
        var written = new Dictionary<(HeldKind, BlockKey), (HeldItem Item, byte[] Bytes)>();
        await using (var store = Open(temp.Path, 1 << 20))
        {
            foreach (var kind in new[] { HeldKind.Replica, HeldKind.Fragment, HeldKind.Head, HeldKind.Pointer })
            {
                for (var i = 0; i < 20; i++)
                {
                    var bytes = random.NextBytes(random.NextInt32(3000));
                    var item = new HeldItem(kind, BlockKey.Of(bytes), 0, 10 + i, kind == HeldKind.Head ? (ulong)i + 1 : 0);
                    Assert.Equal(HeldPutResult.Stored, await store.PutAsync(item, bytes));
                    written[(kind, item.Key)] = (item with { Length = bytes.Length }, bytes);
                }
            }

            Assert.Equal(written.Count, store.Count);
            Assert.Equal(written.Values.Sum(w => (long)w.Bytes.Length), store.UsedBytes);
        }

        await using var reopened = Open(temp.Path, 1 << 20);
        Assert.Equal(written.Count, reopened.Count);
        Assert.Equal(written.Values.Sum(w => (long)w.Bytes.Length), reopened.UsedBytes);
        foreach (var ((kind, key), (item, bytes)) in written)
        {
            Assert.Equal(item, reopened.Find(kind, key));
            Assert.Equal(bytes, await reopened.ReadAsync(kind, key));
        }

        foreach (var kind in new[] { HeldKind.Replica, HeldKind.Fragment, HeldKind.Head, HeldKind.Pointer })
        {
            var listed = reopened.Items(kind);
            Assert.Equal(20, listed.Count);
            Assert.Equal(listed.OrderBy(i => i.Key).ToList(), listed); // key order
        }
    }

    [Fact]
    public async Task Renewals_and_removals_made_without_waiting_survive_a_clean_stop()
    {
        using var temp = new TempDirectory();
        var keys = new List<BlockKey>();
        await using (var store = Open(temp.Path, 1 << 20))
        {
            for (var i = 0; i < 10; i++)
            {
                var bytes = new byte[100 + i];
                bytes[0] = (byte)i;
                keys.Add(BlockKey.Of(bytes));
                await store.PutAsync(new HeldItem(HeldKind.Replica, keys[i], 0, 5, 0), bytes);
            }

            store.Renew(HeldKind.Replica, keys[0], 40);
            store.Renew(HeldKind.Replica, keys[1], 3); // shorter: no change
            store.Remove(HeldKind.Replica, keys[2]);
            store.Renew(HeldKind.Replica, keys[3], 50);
            store.Renew(HeldKind.Replica, keys[3], 60);
            Assert.Equal(60, store.Find(HeldKind.Replica, keys[3])!.Value.LeaseExpiresAt);
        }

        await using var reopened = Open(temp.Path, 1 << 20);
        Assert.Equal(9, reopened.Count);
        Assert.Equal(40, reopened.Find(HeldKind.Replica, keys[0])!.Value.LeaseExpiresAt);
        Assert.Equal(5, reopened.Find(HeldKind.Replica, keys[1])!.Value.LeaseExpiresAt);
        Assert.Null(reopened.Find(HeldKind.Replica, keys[2]));
        Assert.Null(await reopened.ReadAsync(HeldKind.Replica, keys[2]));
        Assert.Equal(60, reopened.Find(HeldKind.Replica, keys[3])!.Value.LeaseExpiresAt);
        Assert.Equal(Enumerable.Range(0, 10).Where(i => i != 2).Sum(i => 100L + i), reopened.UsedBytes);
    }

    [Fact]
    public async Task Puts_beyond_the_contributed_quota_are_refused_and_removals_make_room()
    {
        using var temp = new TempDirectory();
        await using (var store = Open(temp.Path, 1000))
        {
            var a = Item(HeldKind.Replica, 1, 600);
            var b = Item(HeldKind.Replica, 2, 500);
            Assert.Equal(HeldPutResult.Stored, await store.PutAsync(a.Item, a.Bytes));
            Assert.Equal(HeldPutResult.QuotaFull, await store.PutAsync(b.Item, b.Bytes));
            Assert.Null(store.Find(HeldKind.Replica, b.Item.Key));

            // Replacing an item counts only the difference; a head may grow in place up to the quota.
            var head = Item(HeldKind.Head, 3, 400);
            Assert.Equal(HeldPutResult.Stored, await store.PutAsync(head.Item, head.Bytes));
            Assert.Equal(HeldPutResult.Stored, await store.PutAsync(head.Item with { Version = 2 }, new byte[400]));
            Assert.Equal(HeldPutResult.QuotaFull, await store.PutAsync(head.Item with { Version = 3 }, new byte[401]));
            Assert.Equal(1000, store.UsedBytes);

            // Two puts in flight at once: the second sees the first's bytes reserved.
            store.Remove(HeldKind.Head, head.Item.Key);
            Assert.Equal(600, store.UsedBytes);
            var first = store.PutAsync(Item(HeldKind.Fragment, 4, 300).Item, new byte[300]).AsTask();
            var second = store.PutAsync(Item(HeldKind.Fragment, 5, 200).Item, new byte[200]);
            Assert.Equal(HeldPutResult.QuotaFull, await second);
            Assert.Equal(HeldPutResult.Stored, await first);
            Assert.Equal(900, store.UsedBytes);
        }

        // The quota is the contributed size, not a property of the files: a smaller one refuses at once.
        await using var smaller = Open(temp.Path, 800);
        Assert.Equal(900, smaller.UsedBytes);
        Assert.Equal(HeldPutResult.QuotaFull, await smaller.PutAsync(Item(HeldKind.Replica, 6, 1).Item, new byte[1]));
    }

    [Fact]
    public async Task A_damaged_record_reads_as_lost_bytes_and_the_others_still_read()
    {
        using var temp = new TempDirectory();
        var good = Item(HeldKind.Replica, 1, 2000);
        var damaged = Item(HeldKind.Replica, 2, 2000);
        await using (var store = Open(temp.Path, 1 << 20))
        {
            await store.PutAsync(good.Item, good.Bytes);
            await store.PutAsync(damaged.Item, damaged.Bytes);

            // Flip one bit in the middle of the second item's bytes on disk.
            var segment = Directory.GetFiles(Path.Combine(temp.Path, "journal"), "seg-*.log").Single();
            var file = await File.ReadAllBytesAsync(segment);
            var at = file.AsSpan().IndexOf(damaged.Bytes.AsSpan(0, 64)) + 1000;
            Assert.True(at > 1000);
            await using (var stream = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
                stream.Position = at;
                stream.WriteByte((byte)(file[at] ^ 0x10));
            }

            Assert.Null(await store.ReadAsync(HeldKind.Replica, damaged.Item.Key));
            Assert.NotNull(store.Find(HeldKind.Replica, damaged.Item.Key)); // the service decides to drop it
            Assert.Equal(good.Bytes, await store.ReadAsync(HeldKind.Replica, good.Item.Key));
        }

        await using var reopened = Open(temp.Path, 1 << 20);
        Assert.Null(reopened.Find(HeldKind.Replica, damaged.Item.Key));
        Assert.Equal(good.Bytes, await reopened.ReadAsync(HeldKind.Replica, good.Item.Key));
    }

    [Fact]
    public async Task A_removal_or_renewal_while_a_put_is_in_flight_ends_as_replay_sees_it()
    {
        using var temp = new TempDirectory();
        var removed = Item(HeldKind.Fragment, 1, 100);
        var renewed = Item(HeldKind.Fragment, 2, 100);
        await using (var store = Open(temp.Path, 1 << 20))
        {
            var put1 = store.PutAsync(removed.Item, removed.Bytes).AsTask();
            store.Remove(HeldKind.Fragment, removed.Item.Key);
            var put2 = store.PutAsync(renewed.Item, renewed.Bytes).AsTask();
            store.Renew(HeldKind.Fragment, renewed.Item.Key, 99);
            Assert.Equal(HeldPutResult.Stored, await put1);
            Assert.Equal(HeldPutResult.Stored, await put2);
            Assert.Null(store.Find(HeldKind.Fragment, removed.Item.Key));
            Assert.Equal(99, store.Find(HeldKind.Fragment, renewed.Item.Key)!.Value.LeaseExpiresAt);
            Assert.Equal(100, store.UsedBytes);
        }

        await using var reopened = Open(temp.Path, 1 << 20);
        Assert.Null(reopened.Find(HeldKind.Fragment, removed.Item.Key));
        Assert.Equal(99, reopened.Find(HeldKind.Fragment, renewed.Item.Key)!.Value.LeaseExpiresAt);
    }

    [Fact]
    public async Task A_put_resumes_its_caller_inside_the_given_resume_action()
    {
        using var temp = new TempDirectory();
        var inside = new ThreadLocal<bool>();
        void Resume(Action action)
        {
            // Like PastryNode.Execute, a re-entrant lock: run inline on a thread already inside
            // (a put that completed between the check and the hand-off), it must not mark that
            // thread as outside when it returns.
            var was = inside.Value;
            inside.Value = true;
            try
            {
                action();
            }
            finally
            {
                inside.Value = was;
            }
        }

        await using var store = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 1 << 20, Resume);
        for (var i = 0; i < 5; i++)
        {
            // As the node calls it: from inside its thread; the caller must continue inside it again
            // (through resume, or inline when the put was already durable when it returned).
            Task<bool> look;
            inside.Value = true;
            try
            {
                look = PutAndLookAsync(store, Item(HeldKind.Replica, i, 100), inside);
            }
            finally
            {
                inside.Value = false;
            }

            Assert.True(await look);
        }

    }

    [Fact]
    public async Task Reopening_compacts_dead_records_and_keeps_every_live_item_and_lease()
    {
        using var temp = new TempDirectory();
        var small = new JournalOptions { SegmentSizeBytes = 8 * 1024 };
        var kept = new Dictionary<BlockKey, byte[]>();
        var removed = new List<BlockKey>();
        await using (var store = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 1 << 20, options: small))
        {
            for (var i = 0; i < 200; i++)
            {
                var item = Item(HeldKind.Replica, i, 500);
                await store.PutAsync(item.Item, item.Bytes);
                if (i % 10 == 0)
                {
                    kept[item.Item.Key] = item.Bytes;
                    store.Renew(HeldKind.Replica, item.Item.Key, 1000 + i);
                }
                else
                {
                    removed.Add(item.Item.Key);
                }
            }

            Assert.Equal(0, store.Compactions); // nothing dead yet
        }

        // Removed by a store whose segments are too large for a compaction to be worth it while it runs...
        await using (var store = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 1 << 20, options: new JournalOptions()))
        {
            foreach (var key in removed)
            {
                store.Remove(HeldKind.Replica, key);
            }

            Assert.Equal(0, store.Compactions);
        }

        // ... so the next open with small segments finds mostly dead records, and compacts.
        long after;
        await using (var reopened = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 1 << 20, options: small))
        {
            Assert.True(reopened.OpenCompaction.SegmentsRewritten > 1, $"{reopened.OpenCompaction}");
            Assert.True(reopened.OpenCompaction.BytesAfter < reopened.OpenCompaction.BytesBefore / 4, $"{reopened.OpenCompaction}");
            await AssertKeptAsync(reopened, kept);
            after = reopened.DiskBytes;
        }

        // And once more: the compacted journal replays to the same index and needs no compaction.
        await using var again = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 1 << 20, options: small);
        Assert.Equal(0, again.OpenCompaction.SegmentsRewritten);
        Assert.Equal(after, again.DiskBytes);
        await AssertKeptAsync(again, kept);
    }

    [Fact]
    public async Task A_running_store_compacts_while_puts_reads_renewals_and_removals_go_on()
    {
        using var temp = new TempDirectory();
        var options = new JournalOptions { SegmentSizeBytes = 8 * 1024 };
        var kept = new System.Collections.Concurrent.ConcurrentDictionary<BlockKey, byte[]>();
        long compactions;
        await using (var store = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 1 << 20, options: options))
        {
            using var writing = new CancellationTokenSource();
            var reads = 0L;
            var reader = Task.Run(async () =>
            {
                while (!writing.IsCancellationRequested)
                {
                    foreach (var (key, bytes) in kept)
                    {
                        // A kept item is never reported lost, whatever compaction moved meanwhile.
                        Assert.Equal(bytes, await store.ReadAsync(HeldKind.Replica, key));
                        reads++;
                    }
                }
            });

            for (var i = 0; i < 600; i++)
            {
                var item = Item(HeldKind.Replica, i, 500);
                Assert.Equal(HeldPutResult.Stored, await store.PutAsync(item.Item, item.Bytes));
                if (i % 10 == 0)
                {
                    store.Renew(HeldKind.Replica, item.Item.Key, 1000 + (i % 256));
                    kept[item.Item.Key] = item.Bytes;
                }
                else
                {
                    store.Remove(HeldKind.Replica, item.Item.Key);
                }
            }

            await writing.CancelAsync();
            await reader;
            await store.Compaction;
            compactions = store.Compactions;
            Assert.True(compactions > 0, "no compaction ran");
            Assert.True(reads > 0);
            Assert.True(store.DiskBytes < 600L * 500 / 3, $"{store.DiskBytes} bytes on disk after {compactions} compactions; last {store.LastCompaction}");
            Assert.Equal(60, store.Count);
        }

        await using var reopened = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 1 << 20, options: options);
        Assert.Equal(60, reopened.Count);
        foreach (var (key, bytes) in kept)
        {
            Assert.Equal(bytes, await reopened.ReadAsync(HeldKind.Replica, key));
            Assert.Equal(1000 + bytes[0], reopened.Find(HeldKind.Replica, key)!.Value.LeaseExpiresAt);
        }
    }

    [Fact]
    public void Any_sequence_of_operations_reopens_to_the_index_the_store_had()
    {
        var op = Gen.Select(Gen.Int[0, 2], Gen.Int[1, 3], Gen.Int[0, 5], Gen.Int[0, 300], Gen.Int[0, 50]);
        op.Array[1, 60].Sample(ops =>
        {
            using var temp = new TempDirectory();
            var options = new JournalOptions { SegmentSizeBytes = 2048 };
            var before = new List<HeldItem>();
            var store = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 4000, options: options);
            try
            {
                var pending = new List<Task>();
                foreach (var (what, kind, key, length, lease) in ops)
                {
                    var bytes = new byte[length];
                    bytes.AsSpan().Fill((byte)key);
                    var id = BlockKey.Of([(byte)kind, (byte)key]);
                    switch (what)
                    {
                        case 0:
                            pending.Add(store.PutAsync(new HeldItem((HeldKind)kind, id, 0, lease, (ulong)length), bytes).AsTask());
                            break;
                        case 1:
                            store.Renew((HeldKind)kind, id, lease);
                            break;
                        default:
                            store.Remove((HeldKind)kind, id);
                            break;
                    }
                }

                Task.WaitAll([.. pending]);
                before.AddRange(AllItems(store));
            }
            finally
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            // Twice: the second open may find a compacted journal.
            for (var i = 0; i < 2; i++)
            {
                var reopened = LocalHeldStore.Open(new PhysicalFileSystem(), temp.Path, 4000, options: options);
                try
                {
                    Assert.Equal(before, AllItems(reopened));
                    Assert.Equal(before.Sum(b => (long)b.Length), reopened.UsedBytes);
                }
                finally
                {
                    reopened.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
        }, iter: 60);
    }

    private static List<HeldItem> AllItems(LocalHeldStore store) =>
        [.. new[] { HeldKind.Replica, HeldKind.Fragment, HeldKind.Head }.SelectMany(store.Items)];

    private static async Task<bool> PutAndLookAsync(LocalHeldStore store, (HeldItem Item, byte[] Bytes) item, ThreadLocal<bool> inside)
    {
        // No captured context (xUnit has one): the continuation runs where the put completes it.
        await store.PutAsync(item.Item, item.Bytes).ConfigureAwait(false);
        return inside.Value;
    }

    private static async Task AssertKeptAsync(LocalHeldStore store, Dictionary<BlockKey, byte[]> kept)
    {
        Assert.Equal(kept.Count, store.Count);
        foreach (var (key, bytes) in kept)
        {
            Assert.Equal(bytes, await store.ReadAsync(HeldKind.Replica, key));
            Assert.Equal(1000 + bytes[0], store.Find(HeldKind.Replica, key)!.Value.LeaseExpiresAt);
        }
    }

    private static LocalHeldStore Open(string directory, long capacity) => LocalHeldStore.Open(new PhysicalFileSystem(), directory, capacity);

    /// <summary>An item of <paramref name="length"/> bytes whose first byte is <paramref name="seed"/> (low byte) and key its hash.</summary>
    private static (HeldItem Item, byte[] Bytes) Item(HeldKind kind, int seed, int length)
    {
        var bytes = new SeededRandomSource((ulong)seed + 1).NextBytes(length);
        bytes[0] = (byte)seed;
        var key = BlockKey.Of([(byte)kind, .. BitConverter.GetBytes(seed)]);
        return (new HeldItem(kind, kind == HeldKind.Replica ? BlockKey.Of(bytes) : key, 0, 5, 0), bytes);
    }
}
