using System.Globalization;
using EPostEdge.Overlay.Simulation.Scenarios;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge simulate --soak N</c> (issue 5 acceptance: "a documented soak command runs
/// thousands of random seeds and reports any failing seed"): N seeds drawn from the OS, each run
/// stopping at its first violation, several at once (every run is single-threaded and owns its
/// scheduler, so runs share nothing). Each failing seed is printed with its replay command.
/// </summary>
internal static class SimulateSoak
{
    /// <summary>The <c>--scenario</c> value that soaks every built-in scenario.</summary>
    public const string All = "all";

    public static int Run(CliContext context, string scenarioName, int runs, int? parallel, int? nodes, string? durationText)
    {
        if (runs < 1)
        {
            context.Error.WriteLine("epost-edge: --soak: at least 1 run");
            return ExitCodes.BadConfiguration;
        }

        if (parallel is < 1)
        {
            context.Error.WriteLine("epost-edge: --parallel: at least 1");
            return ExitCodes.BadConfiguration;
        }

        var scenarios = new List<(string Argument, SimulationScenario Scenario)>();
        if (scenarioName == All)
        {
            scenarios.AddRange(SimulationScenario.BuiltIns.Select(b => (b.Key, b.Value)));
        }
        else if (SimulateCommand.TryScenario(context, scenarioName, out var one))
        {
            scenarios.Add((scenarioName, one));
        }
        else
        {
            return ExitCodes.BadConfiguration;
        }

        if (!SimulateCommand.TrySize(context, nodes, durationText, out var duration))
        {
            return ExitCodes.BadConfiguration;
        }

        // Drawn up front on this thread, so the seeds do not depend on which run finishes first.
        var seeds = Enumerable.Range(0, runs).Select(_ => context.Random.NextUInt64()).ToList();
        var work = seeds.SelectMany(seed => scenarios.Select(s => (Seed: seed, s.Argument, s.Scenario))).ToList();
        var degree = parallel ?? Environment.ProcessorCount;
        context.Error.WriteLine($"soak: {runs} seed(s) × {string.Join(", ", scenarios.Select(s => s.Scenario.Name))}, {degree} at once; seeds: {string.Join(' ', seeds)}");

        var started = context.Time.GetTimestamp();
        var gate = new Lock();
        var failed = new List<(string Argument, ulong Seed)>();
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = degree }, item =>
        {
            var replay = SimulateCommand.ReplayCommand(item.Argument, item.Seed, nodes, durationText);
            string? failure;
            try
            {
                var result = ScenarioRunner.Run(item.Scenario, item.Seed, nodes, duration, stopAtViolation: true, SimulateCommand.Extensions(item.Scenario));
                failure = result.Passed ? null : FirstLine(result.Violations[0]);
            }
            catch (Exception e)
            {
                // A run that throws is a failing seed too: the simulator found a crash.
                failure = $"seed {item.Seed}, scenario {item.Scenario.Name}: the run threw {e.GetType().Name}: {e.Message}";
            }

            lock (gate)
            {
                if (failure is null)
                {
                    context.Error.WriteLine($"ok    scenario {item.Scenario.Name} seed {item.Seed}");
                }
                else
                {
                    failed.Add((item.Argument, item.Seed));
                    context.Output.WriteLine($"FAIL  {failure}");
                    context.Output.WriteLine($"      replay: {replay}");
                }
            }
        });

        var wall = context.Time.GetElapsedTime(started);
        var failing = failed.Count == 0 ? "" : "; failing: " + string.Join(", ", failed.OrderBy(f => f.Argument, StringComparer.Ordinal).ThenBy(f => f.Seed).Select(f => $"{f.Argument} {f.Seed}"));
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {work.Count} run(s), {failed.Count} failed, {wall.TotalSeconds:F1} s wall{failing}"));
        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.SimulationViolation;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).TrimEnd('\r');
    }
}
