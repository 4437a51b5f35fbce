using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Tests.Journal;

/// <summary>
/// Compaction crashed at each of its fault points (and not at all), with appends running
/// meanwhile, then a power cut: every live record is there exactly once, and once the
/// compaction's rename was durable no dead record comes back.
/// </summary>
public sealed class CompactionCrashTests
{
    public static TheoryData<string?> Points => new() { null, FaultPointNames.CompactionBeforeRename, FaultPointNames.CompactionAfterRename };

    [Theory]
    [MemberData(nameof(Points))]
    public async Task A_crash_anywhere_in_compaction_keeps_every_live_record_once_and_resurrects_none(string? crashPoint)
    {
        for (var seed = 0UL; seed < 60; seed++)
        {
            var random = new SeededRandomSource(seed);
            var disk = new CrashModelFileSystem(random.Fork());
            var faults = new FaultPoints();
            var options = new JournalOptions { SegmentSizeBytes = 256 + random.NextInt32(2048) };
            var acknowledged = new Dictionary<long, byte[]>();
            static bool IsLive(long sequence) => sequence % 3 != 0;
            var deadGone = new HashSet<long>();

            for (var round = 0; round < 2; round++)
            {
                var journal = JournalLog.Open(disk, "/j", options, faults);
                for (var i = 0; i < 60; i++)
                {
                    var payload = random.NextBytes(random.NextInt32(1, 120));
                    acknowledged[(await journal.AppendAsync(1, payload)).Sequence] = payload;
                }

                faults.Handler = name =>
                {
                    if (name == crashPoint)
                    {
                        throw new InjectedFaultException(name);
                    }
                };

                // Sealed before compaction starts, hence surely in its snapshot (appends running
                // meanwhile may seal more, whose dead records it may drop too).
                var sealedBefore = journal.ReadAll().Where(r => r.Position.SegmentId != LastSegmentId(journal)).Select(r => r.Position.Sequence).ToList();

                // Appends keep going while compaction runs.
                var appending = Task.Run(async () =>
                {
                    for (var i = 0; i < 10; i++)
                    {
                        var payload = random.NextBytes(8);
                        acknowledged[(await journal.AppendAsync(1, payload)).Sequence] = payload;
                    }
                });
                try
                {
                    var result = journal.Compact(r => IsLive(r.Position.Sequence));
                    Assert.Equal(result.RecordsKept, result.Relocated.Count);
                    foreach (var moved in result.Relocated)
                    {
                        Assert.Equal(acknowledged[moved.Position.Sequence], journal.Read(moved.Position).Payload.ToArray());
                    }

                    deadGone.UnionWith(sealedBefore.Where(s => !IsLive(s)));
                }
                catch (InjectedFaultException) when (crashPoint is not null)
                {
                    if (crashPoint == FaultPointNames.CompactionAfterRename)
                    {
                        deadGone.UnionWith(sealedBefore.Where(s => !IsLive(s)));
                    }
                }

                await appending;
                faults.Handler = null;
                await journal.DisposeAsync();
                disk.Crash(CrashOutcomeRates.Even);
            }

            await using var reopened = JournalLog.Open(disk, "/j", options);
            var records = reopened.ReadAll().ToList();
            Assert.Equal(records.Count, records.Select(r => r.Position.Sequence).Distinct().Count());
            var present = records.ToDictionary(r => r.Position.Sequence, r => r.Payload.ToArray());
            foreach (var (sequence, payload) in acknowledged.Where(a => IsLive(a.Key)))
            {
                Assert.True(present.TryGetValue(sequence, out var found), $"seed {seed}: live record {sequence} lost");
                Assert.Equal(payload, found);
            }

            foreach (var sequence in deadGone)
            {
                Assert.False(present.ContainsKey(sequence), $"seed {seed}: dead record {sequence} resurrected");
            }
        }
    }

    private static long LastSegmentId(JournalLog journal) => journal.ReadAll().Select(r => r.Position.SegmentId).DefaultIfEmpty(0).Max();
}
