using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Tests.Journal;

/// <summary>The journal's everyday behaviour, on real files and on the crash-model disk.</summary>
public sealed class JournalTests
{
    [Fact]
    public async Task Records_come_back_in_order_after_reopen_across_rotated_segments()
    {
        using var temp = new TempDirectory();
        var options = new JournalOptions { SegmentSizeBytes = 4096 };
        var random = new SeededRandomSource(11);
        var written = new List<byte[]>();
        await using (var journal = JournalLog.Open(new PhysicalFileSystem(), temp.Path, options))
        {
            for (var i = 0; i < 200; i++)
            {
                var payload = random.NextBytes(random.NextInt32(0, 300));
                var position = await journal.AppendAsync((byte)(1 + (i % 5)), payload);
                Assert.Equal(i + 1, position.Sequence);
                Assert.Equal(payload, journal.Read(position).Payload.ToArray());
                written.Add(payload);
            }

            Assert.True(journal.SegmentCount > 5, $"expected rotation, got {journal.SegmentCount} segments");
        }

        await using var reopened = JournalLog.Open(new PhysicalFileSystem(), temp.Path, options);
        var records = reopened.ReadAll().ToList();
        Assert.Equal(written.Count, records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(i + 1, records[i].Position.Sequence);
            Assert.Equal((byte)(1 + (i % 5)), records[i].Kind);
            Assert.Equal(written[i], records[i].Payload.ToArray());
        }

        Assert.Equal(0, reopened.OpenReport.TruncatedBytes);
        Assert.Equal(200, reopened.LastSequence);
        Assert.Equal(201, (await reopened.AppendAsync(1, new byte[1])).Sequence);
    }

    [Fact]
    public async Task Concurrent_appends_share_fsyncs()
    {
        using var temp = new TempDirectory();
        await using var journal = JournalLog.Open(new PhysicalFileSystem(), temp.Path);
        const int writers = 32, perWriter = 20;
        var syncsBefore = journal.SyncCount;
        var positions = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<JournalPosition>();
            for (var i = 0; i < perWriter; i++)
            {
                mine.Add(await journal.AppendAsync(1, BitConverter.GetBytes((w * 1000) + i)));
            }

            return mine;
        })));

        var syncs = journal.SyncCount - syncsBefore;
        Assert.Equal(writers * perWriter, positions.SelectMany(p => p).Select(p => p.Sequence).Distinct().Count());
        Assert.True(syncs < writers * perWriter / 2, $"{writers * perWriter} appends took {syncs} fsyncs: no group commit");
    }

    [Fact]
    public async Task Read_rejects_a_flipped_bit_and_a_position_that_names_another_record()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(1));
        await using var journal = JournalLog.Open(disk, "/j");
        var first = await journal.AppendAsync(1, "first record"u8.ToArray());
        var second = await journal.AppendAsync(1, "second record"u8.ToArray());

        Assert.Throws<JournalCorruptException>(() => journal.Read(first with { Sequence = second.Sequence }));
        disk.FlipStoredBit(disk.List("/j").Select(n => "/j/" + n).Single(), first.Offset + 20, 3);
        Assert.Throws<JournalCorruptException>(() => journal.Read(first));
        Assert.Equal("second record"u8.ToArray(), journal.Read(second).Payload.ToArray());
    }

    [Fact]
    public async Task Bad_appends_are_refused_before_anything_is_written()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(2));
        await using var journal = JournalLog.Open(disk, "/j", new JournalOptions { MaxRecordBytes = 100 });
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.AppendAsync(0, new byte[1]));
        Assert.Throws<ArgumentException>(() => journal.AppendAsync(1, new byte[101]));
        Assert.Equal(0, journal.LastSequence);
    }

    [Fact]
    public async Task After_a_failed_fsync_the_journal_refuses_writes_and_a_reopen_keeps_what_was_acknowledged()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(3));
        var journal = JournalLog.Open(disk, "/j");
        var acknowledged = await journal.AppendAsync(1, "safe"u8.ToArray());

        disk.FailNextSync = true;
        await Assert.ThrowsAsync<IOException>(async () => await journal.AppendAsync(1, "lost"u8.ToArray()));

        // fsyncgate: a later fsync could "succeed" without the lost pages; refuse instead.
        await Assert.ThrowsAsync<JournalFailedException>(async () => await journal.AppendAsync(1, "after"u8.ToArray()));
        await journal.DisposeAsync();

        disk.Crash(CrashOutcomeRates.Even);
        await using var reopened = JournalLog.Open(disk, "/j");
        var records = reopened.ReadAll().ToList();
        Assert.Equal("safe"u8.ToArray(), records.Single(r => r.Position.Sequence == acknowledged.Sequence).Payload.ToArray());
        Assert.DoesNotContain(records, r => r.Payload.Span.SequenceEqual("after"u8));
    }

    [Fact]
    public async Task Open_never_throws_on_garbage_segments()
    {
        for (var seed = 0UL; seed < 50; seed++)
        {
            var random = new SeededRandomSource(seed);
            var disk = new CrashModelFileSystem(random);
            disk.CreateDirectory("/j");
            for (var f = 0; f < 1 + random.NextInt32(4); f++)
            {
                using var file = disk.Open($"/j/seg-{(f * 10) + 1:D20}.log", FileOpenMode.CreateNew);
                file.Write(0, random.NextBytes(random.NextInt32(0, 5000)));
                file.Sync();
            }

            disk.SyncDirectory("/j");
            await using var journal = JournalLog.Open(disk, "/j");
            Assert.Empty(journal.ReadAll());
            var position = await journal.AppendAsync(1, "still works"u8.ToArray());
            Assert.Equal("still works"u8.ToArray(), journal.Read(position).Payload.ToArray());
        }
    }
}
