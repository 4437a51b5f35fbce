using System.Diagnostics;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary>
/// The journal power-cut test: a child process appends and prints each sequence only after
/// its fsync returned; we SIGKILL it at random moments and reopen. Every printed record must be
/// present and intact, and the journal must always open.
/// </summary>
/// <remarks>
/// SIGKILL ends the process but not the kernel, so this proves the journal's own crash safety
/// (torn batches, half-written rotations, reopen after any instruction); losing the page cache
/// itself is the torn-write test's job, through the crash-model disk.
/// Kills: <c>EPOSTEDGE_POWERCUT_KILLS</c> (default 200; the soak command sets thousands).
/// </remarks>
public sealed class PowerCutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_printed_record_survives_SIGKILL_at_random_moments()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("EPOSTEDGE_POWERCUT_KILLS"), out var k) ? k : 200;
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("EPOSTEDGE_POWERCUT_SEED"), out var s) ? s : (ulong)Stopwatch.GetTimestamp();
        output.WriteLine($"power-cut: {kills} kills, seed {seed}, program: {NodeProcess.Describe()}");
        var random = new SeededRandomSource(seed);
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "journal");
        var acknowledged = new Dictionary<long, (long Run, int Writer, long Counter)>();
        var truncatedTails = 0;

        for (var run = 0; run < kills; run++)
        {
            using var child = NodeProcess.Start("journal-torture", "--dir", dir, "--writers", "4", "--run", run.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var lines = new List<string>();
            var reader = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is { } line)
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }
                }
            });

            // Kill at a random moment: sometimes before the journal is even open, mostly mid-append.
            await Task.Delay(random.NextInt32(0, 250));
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            await reader;

            lock (lines)
            {
                foreach (var line in lines.Where(l => !l.StartsWith("open", StringComparison.Ordinal)))
                {
                    var parts = line.Split(' ');
                    acknowledged[long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)] =
                        (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            // Reopen in this process after every kill: it must open and hold every printed record.
            await using var journal = JournalLog.Open(new PhysicalFileSystem(), dir, new JournalOptions { SegmentSizeBytes = 256 * 1024 });
            if (journal.OpenReport.TruncatedBytes > 0)
            {
                truncatedTails++;
            }

            var present = journal.ReadAll().ToDictionary(r => r.Position.Sequence, r => r.Payload.ToArray());
            foreach (var (sequence, id) in acknowledged)
            {
                Assert.True(present.TryGetValue(sequence, out var payload), $"seed {seed}, run {run}: acknowledged record {sequence} is missing");
                Assert.Equal(JournalTorture.MakePayload(id.Run, id.Writer, id.Counter), payload);
            }
        }

        output.WriteLine($"power-cut: {acknowledged.Count} acknowledged records all present after {kills} kills; {truncatedTails} reopens truncated a torn tail");
        Assert.True(acknowledged.Count > kills, $"too few records were acknowledged ({acknowledged.Count}) for the test to mean anything");
    }
}
