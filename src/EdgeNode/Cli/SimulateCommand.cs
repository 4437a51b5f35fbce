using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EPostEdge.Overlay.Simulation.Scenarios;
using EPostEdge.Storage.Simulation;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge simulate</c> (issue 5): runs a scenario of the real overlay code under the
/// deterministic simulator and prints its metrics. The seed is always printed; the same
/// <c>--seed</c> and <c>--scenario</c> replay the run exactly.
/// </summary>
internal static class SimulateCommand
{
    public static Command Build(CliContext context)
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = $"A built-in scenario ({string.Join(", ", SimulationScenario.BuiltIns.Keys)}) or a scenario JSON file",
            DefaultValueFactory = _ => "steady",
        };
        var seed = new Option<ulong?>("--seed") { Description = "The run's seed (default: random); print it, and the same seed replays the run" };
        var nodes = new Option<int?>("--nodes") { Description = "Node count (default: the scenario's)" };
        var duration = new Option<string?>("--duration") { Description = "Simulated time after the join phase, e.g. 90s, 10m, 1h (default: the scenario's)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys in README)" };
        var keepGoing = new Option<bool>("--keep-going") { Description = "Do not stop at the first violation: run to the end and report them all" };
        var soak = new Option<int?>("--soak") { Description = "Run N random seeds (of --scenario, or of every built-in with --scenario all) and report each failing seed's replay command" };
        var parallel = new Option<int?>("--parallel") { Description = "Soak runs at once (default: the processor count)" };
        var simulate = new Command("simulate", "Run the overlay under the deterministic simulator: a scenario of churn, partitions and faults, checked and measured.");
        simulate.Options.Add(scenario);
        simulate.Options.Add(seed);
        simulate.Options.Add(nodes);
        simulate.Options.Add(duration);
        simulate.Options.Add(json);
        simulate.Options.Add(keepGoing);
        simulate.Options.Add(soak);
        simulate.Options.Add(parallel);
        simulate.SetAction(parse => parse.GetValue(soak) is { } runs
            ? SimulateSoak.Run(context, parse.GetValue(scenario)!, runs, parse.GetValue(parallel), parse.GetValue(nodes), parse.GetValue(duration))
            : Run(context, parse.GetValue(scenario)!, parse.GetValue(seed), parse.GetValue(nodes), parse.GetValue(duration), parse.GetValue(json), parse.GetValue(keepGoing)));
        return simulate;
    }

    public static int Run(CliContext context, string scenarioName, ulong? seedOption, int? nodes, string? durationText, bool json, bool keepGoing = false)
    {
        if (!TryScenario(context, scenarioName, out var scenario) || !TrySize(context, nodes, durationText, out var duration))
        {
            return ExitCodes.BadConfiguration;
        }

        var seed = seedOption ?? context.Random.NextUInt64();
        var replay = ReplayCommand(scenarioName, seed, nodes, durationText);
        // Printed first, so a run that is killed or crashes can still be replayed.
        context.Error.WriteLine($"simulate: scenario {scenario.Name}, seed {seed} (replay: {replay})");
        ScenarioResult result;
        try
        {
            // A disk section puts the real store on crash-model disks, checked for the storage invariants.
            result = ScenarioRunner.Run(scenario, seed, nodes, duration, stopAtViolation: !keepGoing, Extensions(scenario));
        }
        catch (JsonException e)
        {
            context.Error.WriteLine($"epost-edge: {e.Message}");
            return ExitCodes.BadConfiguration;
        }

        if (json)
        {
            context.Output.WriteLine(Json(result, replay));
        }
        else
        {
            Print(context.Output, result);
        }

        foreach (var violation in result.Violations)
        {
            context.Error.WriteLine($"VIOLATION {violation}");
        }

        if (!result.Passed)
        {
            context.Error.WriteLine($"replay: {replay}");
        }

        return result.Passed ? ExitCodes.Ok : ExitCodes.SimulationViolation;
    }

    /// <summary>The command that replays a run exactly: the same scenario argument, seed and size overrides.</summary>
    internal static string ReplayCommand(string scenarioArgument, ulong seed, int? nodes, string? durationText) =>
        string.Create(CultureInfo.InvariantCulture, $"epost-edge simulate --scenario {Quote(scenarioArgument)} --seed {seed}")
        + (nodes is { } n ? string.Create(CultureInfo.InvariantCulture, $" --nodes {n}") : "")
        + (durationText is null ? "" : $" --duration {Quote(durationText)}");

    /// <summary>Checks --nodes and parses --duration (null: the scenario's).</summary>
    internal static bool TrySize(CliContext context, int? nodes, string? durationText, out TimeSpan? duration)
    {
        duration = null;
        if (durationText is not null)
        {
            if (!TryParseDuration(durationText, out var parsed))
            {
                context.Error.WriteLine($"epost-edge: --duration: '{durationText}' is not a duration (e.g. 90s, 10m, 1h)");
                return false;
            }

            duration = parsed;
        }

        if (nodes is < 2)
        {
            context.Error.WriteLine("epost-edge: --nodes: at least 2");
            return false;
        }

        return true;
    }

    /// <summary>Single-quotes an argument for a POSIX shell when it holds anything but safe characters.</summary>
    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '+')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Parses 90, 90s, 10m, 1h, 1.5h (plain numbers are seconds).</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return false;
        }

        var unit = char.ToLowerInvariant(trimmed[^1]);
        var scale = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        var number = scale == 0 ? trimmed : trimmed[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > 365 * 86400)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * (scale == 0 ? 1 : scale));
        return true;
    }

    internal static bool TryScenario(CliContext context, string name, out SimulationScenario scenario)
    {
        if (SimulationScenario.BuiltIns.TryGetValue(name, out scenario!))
        {
            return true;
        }

        if (!context.FileSystem.FileExists(name))
        {
            context.Error.WriteLine($"epost-edge: --scenario: '{name}' is neither a built-in ({string.Join(", ", SimulationScenario.BuiltIns.Keys)}) nor a file");
            return false;
        }

        try
        {
            using var file = context.FileSystem.Open(name, Storage.FileSystem.FileOpenMode.ReadOnly);
            var bytes = new byte[file.Length];
            file.Read(0, bytes);
            scenario = SimulationScenario.Parse(Encoding.UTF8.GetString(bytes));
            return true;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            context.Error.WriteLine($"epost-edge: --scenario {name}: {e.Message}");
            return false;
        }
    }

    private static void Print(TextWriter output, ScenarioResult result)
    {
        var m = result.Metrics;
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant, $"scenario:    {result.Scenario.Name}, {m.Nodes} nodes ({m.LiveNodes} live at the end), {m.SimulatedTime.TotalSeconds:F0} s simulated"));
        output.WriteLine(string.Create(invariant, $"seed:        {m.Seed}"));
        output.WriteLine(string.Create(invariant, $"hops:        mean {m.HopsMean:F2}, p99 {m.HopsP99}"));
        output.WriteLine(string.Create(invariant, $"lookups:     {m.LookupsIssued} issued, {result.LookupSuccessPercent:F2} % delivered, {result.LookupConsistencyPercent:F2} % consistent, {result.LookupsExcused} excused by node faults"));
        output.WriteLine(string.Create(invariant, $"maintenance: {m.MaintenanceBytesPerSecondPerNode:F0} B/s per node"));
        output.WriteLine(result.HealTime is { } heal ? string.Create(invariant, $"heal time:   {heal.TotalSeconds:F0} s after the partition ended") : $"heal time:   {(result.Scenario.Partition is null ? "no partition" : "did not heal")}");
        output.WriteLine(result.SettleTime is { } settle ? string.Create(invariant, $"settle:      leaf sets exact {settle.TotalSeconds:F0} s after the faults stopped") : "settle:      leaf sets not exact");
        output.WriteLine(string.Create(invariant, $"churn:       {result.Kills} kills, {result.Restarts} restarts"));
        output.WriteLine(string.Create(invariant, $"simulator:   {m.EventsProcessed} events, {m.EventsPerSecond:F0} events/s, wall {m.WallTime.TotalSeconds:F1} s"));
        if (result.ExtensionMetrics.Count > 0)
        {
            output.WriteLine("extensions:  " + string.Join(", ", result.ExtensionMetrics.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(invariant, $"{p.Key} {p.Value:0.##}"))));
        }

        output.WriteLine($"trace hash:  {m.TraceHash}");
        output.WriteLine(result.Passed ? "checkers:    no violation" : $"checkers:    {result.Violations.Count} violation(s) (on stderr)");
        if (result.StoppedAt is { } stopped)
        {
            output.WriteLine(string.Create(invariant, $"stopped:     at {stopped.TotalSeconds:F3} s simulated, at the first violation (--keep-going runs on)"));
        }
    }

    /// <summary>The layers that ride along a scenario: Storage's disks (a disk section) and the replicated store (a storage section).</summary>
    internal static IReadOnlyList<IScenarioExtension>? Extensions(SimulationScenario scenario)
    {
        var extensions = new List<IScenarioExtension>();
        if (scenario.Disk is not null)
        {
            extensions.Add(new DiskScenarioExtension());
        }

        if (scenario.Storage is not null)
        {
            extensions.Add(new ReplicationScenarioExtension());
        }

        return extensions.Count == 0 ? null : extensions;
    }

    private static string Json(ScenarioResult result, string replay)
    {
        var m = result.Metrics;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("scenario", result.Scenario.Name);
            writer.WriteString("seed", m.Seed.ToString(CultureInfo.InvariantCulture));
            writer.WriteNumber("nodes", m.Nodes);
            writer.WriteNumber("liveNodes", m.LiveNodes);
            writer.WriteNumber("simulatedSeconds", m.SimulatedTime.TotalSeconds);
            writer.WriteNumber("hopsMean", m.HopsMean);
            writer.WriteNumber("hopsP99", m.HopsP99);
            writer.WriteNumber("lookupsIssued", m.LookupsIssued);
            writer.WriteNumber("lookupsDelivered", m.LookupsDelivered);
            writer.WriteNumber("lookupsConsistent", m.LookupsConsistent);
            writer.WriteNumber("lookupSuccessPercent", result.LookupSuccessPercent);
            writer.WriteNumber("lookupConsistencyPercent", result.LookupConsistencyPercent);
            writer.WriteNumber("lookupsExcused", result.LookupsExcused);
            writer.WriteNumber("maintenanceBytesPerSecondPerNode", m.MaintenanceBytesPerSecondPerNode);
            WriteSeconds(writer, "healSeconds", result.HealTime);
            WriteSeconds(writer, "settleSeconds", result.SettleTime);
            writer.WriteNumber("kills", result.Kills);
            writer.WriteNumber("restarts", result.Restarts);
            writer.WriteNumber("events", m.EventsProcessed);
            writer.WriteNumber("eventsPerSecond", m.EventsPerSecond);
            writer.WriteNumber("wallSeconds", m.WallTime.TotalSeconds);
            foreach (var (key, value) in result.ExtensionMetrics.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(key, value);
            }

            writer.WriteString("traceHash", m.TraceHash);
            WriteSeconds(writer, "stoppedAt", result.StoppedAt);
            writer.WriteString("replay", replay);
            writer.WriteStartArray("violations");
            foreach (var violation in result.Violations)
            {
                writer.WriteStringValue(violation);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteSeconds(Utf8JsonWriter writer, string name, TimeSpan? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v.TotalSeconds);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
