using System.Buffers.Binary;
using System.Security.Cryptography;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Tests.Journal;

/// <summary>
/// The torn-write test: through the crash-model disk, every write not yet fsynced is kept,
/// dropped or garbled at a crash (SQLite's crash model). Over many seeds and several crashes
/// each: reopening never throws, never yields a record that is not exactly one that was
/// appended, and never loses an acknowledged record. Seeds: <c>EPOSTEDGE_TORN_SEEDS</c>
/// (default 500; the soak sets more); a failure prints its seed.
/// </summary>
public sealed class TornWriteTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private long _acknowledged;
    private long _truncatedBytes;
    private long _reopens;
    private long _tornTails;

    private static readonly string[] CrashPoints =
    [
        FaultPointNames.JournalBeforeFsync,
        FaultPointNames.JournalAfterFsync,
        FaultPointNames.JournalBeforeRotate,
    ];

    [Fact]
    public async Task Crashes_with_pending_writes_kept_dropped_or_garbled_never_lose_or_invent_a_record()
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable("EPOSTEDGE_TORN_SEEDS"), out var n) ? n : 500;
        var firstSeed = ulong.TryParse(Environment.GetEnvironmentVariable("EPOSTEDGE_TORN_FIRST_SEED"), out var f) ? f : 0;
        for (var seed = firstSeed; seed < firstSeed + (ulong)seeds; seed++)
        {
            try
            {
                await RunSeed(seed);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"torn-write seed {seed} failed (replay: EPOSTEDGE_TORN_FIRST_SEED={seed} EPOSTEDGE_TORN_SEEDS=1): {ex.Message}", ex);
            }
        }

        output.WriteLine($"{seeds} seeds: {_reopens} reopens after crashes, {_tornTails} found a torn tail ({_truncatedBytes} bytes cut), {_acknowledged} acknowledged records all intact");

        // The test must have exercised what it claims to: torn tails really happened.
        Assert.True(_tornTails > seeds / 10, $"only {_tornTails} torn tails in {seeds} seeds: the crash model is not biting");
    }

    private async Task RunSeed(ulong seed)
    {
        var random = new SeededRandomSource(seed);
        var disk = new CrashModelFileSystem(random.Fork());
        var faults = new FaultPoints();
        var options = new JournalOptions { SegmentSizeBytes = 512 + random.NextInt32(4096) };
        var acknowledged = new Dictionary<long, byte[]>();
        var rates = new CrashOutcomeRates(random.NextDouble(), random.NextDouble(), random.NextDouble() + 0.01);

        for (var cycle = 0; cycle < 3; cycle++)
        {
            var journal = JournalLog.Open(disk, "/data/journal", options, faults);
            Count(journal);
            Verify(journal, acknowledged);

            // Run some batches, then crash at a random fault point of a random later batch.
            var crashPoint = CrashPoints[random.NextInt32(CrashPoints.Length)];
            var crashAfterHits = random.NextInt32(1, 12);
            var hits = 0;
            faults.Handler = name =>
            {
                if (name == crashPoint && ++hits >= crashAfterHits)
                {
                    throw new InjectedFaultException(name);
                }
            };

            var crashed = false;
            for (var batch = 0; batch < 15 && !crashed; batch++)
            {
                var appends = Enumerable.Range(0, random.NextInt32(1, 6))
                    .Select(_ => MakePayload(random))
                    .Select(async payload => (Position: await journal.AppendAsync(1, payload), Payload: payload))
                    .ToList();
                foreach (var append in appends)
                {
                    try
                    {
                        var (position, payload) = await append;
                        acknowledged[position.Sequence] = payload;
                    }
                    catch (InjectedFaultException)
                    {
                        crashed = true;
                    }
                    catch (JournalFailedException)
                    {
                        crashed = true;
                    }
                }
            }

            faults.Handler = null;
            await journal.DisposeAsync();
            disk.Crash(rates);
        }

        await using var last = JournalLog.Open(disk, "/data/journal", options, faults);
        Count(last);
        Verify(last, acknowledged);
        _acknowledged += acknowledged.Count;
    }

    private void Count(JournalLog journal)
    {
        _reopens++;
        _truncatedBytes += journal.OpenReport.TruncatedBytes;
        if (journal.OpenReport.TruncatedBytes > 0)
        {
            _tornTails++;
        }
    }

    /// <summary>Every acknowledged record is there, intact; every record there is one that was appended.</summary>
    private static void Verify(JournalLog journal, Dictionary<long, byte[]> acknowledged)
    {
        var previous = 0L;
        var seen = new HashSet<long>();
        foreach (var record in journal.ReadAll())
        {
            Assert.True(record.Position.Sequence > previous, "sequences must strictly increase");
            previous = record.Position.Sequence;
            seen.Add(record.Position.Sequence);
            Assert.True(IsIntact(record.Payload.Span), $"record {record.Position.Sequence} is not a payload that was ever appended");
            if (acknowledged.TryGetValue(record.Position.Sequence, out var expected))
            {
                Assert.Equal(expected, record.Payload.ToArray());
            }
        }

        foreach (var sequence in acknowledged.Keys)
        {
            Assert.True(seen.Contains(sequence), $"acknowledged record {sequence} was lost");
        }
    }

    /// <summary>A self-verifying payload: random bytes followed by their SHA-256.</summary>
    private static byte[] MakePayload(IRandomSource random)
    {
        var body = random.NextBytes(random.NextInt32(0, 400));
        var payload = new byte[body.Length + 32 + 4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, body.Length);
        body.CopyTo(payload, 4);
        SHA256.HashData(payload.AsSpan(0, 4 + body.Length), payload.AsSpan(4 + body.Length));
        return payload;
    }

    private static bool IsIntact(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 36)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(payload);
        return length == payload.Length - 36 && SHA256.HashData(payload[..(4 + length)]).AsSpan().SequenceEqual(payload[(4 + length)..]);
    }
}
