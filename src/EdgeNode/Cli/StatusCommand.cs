using System.CommandLine;
using System.Text;
using System.Text.Json;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Local;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge status [--json]</c>: when a node runs (it holds DATA/node.lock) its
/// DATA/run/status.json; otherwise the store opened here, under the lock so no node starts meanwhile.
/// </summary>
internal static class StatusCommand
{
    public static Command Build(CliContext context, Option<string> data)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys in README)" };
        var status = new Command("status", "What the node holds and serves: store, users, messages, queue, ports.");
        status.Options.Add(data);
        status.Options.Add(json);
        status.SetAction((parse, ct) => RunAsync(context, parse.GetValue(data)!, parse.GetValue(json), ct));
        return status;
    }

    public static async Task<int> RunAsync(CliContext context, string dataDirectory, bool json, CancellationToken cancellationToken)
    {
        if (!DataFolder.TryLoad(context, dataDirectory, out var configuration, out var exit))
        {
            return exit;
        }

        if (!configuration.TryGetQuotaBytes(out var quota))
        {
            await context.Error.WriteLineAsync($"epost-edge: Store:Quota = '{configuration.Store.Quota}' is not a size (examples: 512M, 20G, 1T)").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        NodeStatus status;
        using (var held = NodeLock.TryAcquire(dataDirectory))
        {
            if (held is null)
            {
                status = ReadRunning(context, dataDirectory);
            }
            else
            {
                var settings = new NodeSettings(dataDirectory, quota);
                var options = new LocalStoreOptions { Blocks = new BlockStoreOptions { QuotaBytes = quota } };
                await using var store = LocalStore.Open(context.FileSystem, settings.StoreDirectory, options);
                status = new NodeStatus
                {
                    Running = false,
                    DataDirectory = Path.GetFullPath(dataDirectory),
                    UpdatedAt = context.Time.GetUtcNow(),
                    Blocks = store.Blocks.Count,
                    UsedBytes = store.UsedBytes,
                    QuotaBytes = quota == long.MaxValue ? null : quota,
                    JournalSequence = store.LastSequence,
                    Mail = context.Mail is { } mail ? await mail.ReadStatusAsync(store, configuration, dataDirectory, cancellationToken).ConfigureAwait(false) : null,
                    Overlay = OfflineOverlay(context, dataDirectory),
                };
            }
        }

        if (json)
        {
            await context.Output.WriteLineAsync(Encoding.UTF8.GetString(NodeStatusJson.Render(status))).ConfigureAwait(false);
        }
        else
        {
            Print(context.Output, status);
        }

        return ExitCodes.Ok;
    }

    /// <summary>The running node's status file; when it is not written yet (the node is starting), what is known.</summary>
    private static NodeStatus ReadRunning(CliContext context, string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "run", "status.json");
        try
        {
            if (context.FileSystem.FileExists(path))
            {
                using var file = context.FileSystem.Open(path, Storage.FileSystem.FileOpenMode.ReadOnly);
                var bytes = new byte[file.Length];
                file.Read(0, bytes);
                return NodeStatusJson.Read(bytes) with { Running = true };
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            // Half-written is impossible (rename), but an older format or a vanished file is not: fall through.
        }

        return new NodeStatus { Running = true, DataDirectory = Path.GetFullPath(dataDirectory) };
    }

    /// <summary>The overlay identity from DATA/overlay when no node runs; an unreadable one is reported and left out.</summary>
    private static OverlayNodeStatus? OfflineOverlay(CliContext context, string dataDirectory)
    {
        try
        {
            return OverlayCommands.Offline(new OverlayFiles(context.FileSystem, dataDirectory, context.Time));
        }
        catch (InvalidDataException ex)
        {
            context.Error.WriteLine($"epost-edge: warning: {ex.Message}");
            return null;
        }
    }

    private static void Print(TextWriter output, NodeStatus status)
    {
        output.WriteLine($"node:     {(status.Running ? $"running (pid {status.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, since {status.StartedAt:u})" : "not running")}");
        if (status.Health is { } health)
        {
            output.WriteLine($"health:   {health.Name}{(health.Reasons.Count > 0 ? $" ({string.Join("; ", health.Reasons)})" : string.Empty)}");
        }

        output.WriteLine($"data:     {status.DataDirectory}");
        output.WriteLine($"blocks:   {status.Blocks?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
        output.WriteLine($"used:     {status.UsedBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes, quota {(status.QuotaBytes is { } q ? $"{q} bytes" : "unlimited")}");
        output.WriteLine($"journal:  through sequence {status.JournalSequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
        output.WriteLine(status.Mail is { } mail
            ? $"mail:     {mail.Users} users, {mail.Messages} messages, {mail.OutboundQueue} queued outbound"
            : "mail:     not available (no mail store in this build, or not open yet)");
        if (status.Durability is { } d)
        {
            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"durable:  {d.Objects} objects owned, {d.BelowFullRedundancy} below full redundancy; holding {d.HeldItems} items, {d.HeldBytes} of {d.ContributedBytes} contributed bytes ({d.FreeBytes} free); lease epoch {d.Epoch}"));
        }
        else if (status.Overlay is not null)
        {
            output.WriteLine("durable:  the distributed store runs only while the node runs");
        }

        if (status.ManagedHeapBytes is { } heap)
        {
            output.WriteLine($"memory:   managed heap {heap} bytes, GC committed {status.GcCommittedBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes, {status.Threads?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} thread-pool threads");
        }

        if (status.Budget is { } budget)
        {
            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"budget:   profile {budget.Profile ?? "none"}; resident {budget.RssBytes / (1024 * 1024)} MiB (peak {budget.PeakRssBytes / (1024 * 1024)}) of {(budget.MemoryBudgetBytes is { } m ? $"{m / (1024 * 1024)} MiB" : "no budget")}; GC limit {(budget.GcHeapLimitBytes is { } g ? $"{g / (1024 * 1024)} MiB" : "?")}")
                + (budget.MemoryShedding ? "; SHEDDING LOAD (memory near its budget)" : string.Empty)
                + (budget.DiskNearFull ? "; DISK NEAR FULL (new mail and replicas refused)" : string.Empty));
        }

        foreach (var port in status.Listening)
        {
            output.WriteLine($"listen:   {port.Protocol} {port.Address} port {port.Port}{(port.ImplicitTls ? " (implicit TLS)" : string.Empty)}");
        }

        output.WriteLine(status.Overlay switch
        {
            null => "overlay:  not configured",
            { Live: null } o => $"overlay:  node {o.Node.ToShortString()} in overlay {o.Overlay.ToShortString()} at {o.EndPoint}, not running",
            { Live: { } live } o => $"overlay:  node {o.Node.ToShortString()} in overlay {o.Overlay.ToShortString()} at {o.EndPoint}, {(live.Joined ? "joined" : "joining")}, "
                + $"{live.ClockwiseLeaves.Count + live.CounterClockwiseLeaves.Count} in leaf set, {live.TableFillByRow.Sum()} in table (epost-edge overlay status for more)",
        });
        if (status.Nat is { } nat)
        {
            output.WriteLine($"nat:      {nat.Describe()}");
        }
    }
}
