using System.CommandLine;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>Builds the command tree: <c>run</c> (the default), <c>status</c>, <c>rebuild-index</c>, <c>identity</c>, <c>journal-torture</c>.</summary>
internal static class NodeCommands
{
    /// <summary>Environment variable that overrides the default data folder.</summary>
    public const string DataEnvironmentVariable = "EPOSTEDGE_DATA";

    /// <summary>Environment variable that overrides the default quota.</summary>
    public const string QuotaEnvironmentVariable = "EPOSTEDGE_QUOTA";

    public static RootCommand Build()
    {
        var data = new Option<string>("--data", "-d")
        {
            Description = $"Data folder (default: ${DataEnvironmentVariable} or ./data)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DataEnvironmentVariable) is { Length: > 0 } d ? d : "./data",
        };
        var quota = new Option<string>("--quota")
        {
            Description = $"Disk quota of the local store, e.g. 512M, 20G (default: ${QuotaEnvironmentVariable} or unlimited)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(QuotaEnvironmentVariable) ?? string.Empty,
        };

        var root = new RootCommand("EPostEdge: a peer-to-peer mail node for the home (ePOST on Pastry, PAST and Glacier).");
        root.Options.Add(data);
        root.Options.Add(quota);
        root.SetAction((parse, ct) => RunNodeAsync(parse, data, quota, ct));

        var run = new Command("run", "Run the node in the foreground (systemd: Type=notify).");
        run.Options.Add(data);
        run.Options.Add(quota);
        run.SetAction((parse, ct) => RunNodeAsync(parse, data, quota, ct));
        root.Subcommands.Add(run);

        var status = new Command("status", "Open the store and print what it holds.");
        status.Options.Add(data);
        status.SetAction(async (parse, ct) =>
        {
            await using var store = LocalStore.Open(new PhysicalFileSystem(), new NodeSettings(parse.GetValue(data)!, long.MaxValue).StoreDirectory);
            PrintStatus(store);
            return 0;
        });
        root.Subcommands.Add(status);

        var rebuild = new Command("rebuild-index", "Throw the LiteDB index away and rebuild it from the journal alone.");
        rebuild.Options.Add(data);
        rebuild.SetAction(async (parse, ct) =>
        {
            await using var store = LocalStore.Open(new PhysicalFileSystem(), new NodeSettings(parse.GetValue(data)!, long.MaxValue).StoreDirectory);
            var blocks = await store.RebuildIndexAsync();
            Console.WriteLine($"index rebuilt from the journal: {blocks} blocks, journal through sequence {store.LastSequence}");
            return 0;
        });
        root.Subcommands.Add(rebuild);

        root.Subcommands.Add(IdentityCommands.Build(data));
        root.Subcommands.Add(BuildTorture());
        return root;
    }

    private static Command BuildTorture()
    {
        var dir = new Option<string>("--dir") { Description = "Journal folder to append to", Required = true };
        var writers = new Option<int>("--writers") { Description = "Concurrent writers", DefaultValueFactory = _ => 4 };
        var runId = new Option<long>("--run") { Description = "Run number written into each record", DefaultValueFactory = _ => 0 };
        var max = new Option<long>("--max-records") { Description = "Stop after this many records", DefaultValueFactory = _ => long.MaxValue };
        var torture = new Command("journal-torture", "Append records forever, printing each sequence after its fsync (power-cut test; checks that a disk honours fsync).");
        torture.Options.Add(dir);
        torture.Options.Add(writers);
        torture.Options.Add(runId);
        torture.Options.Add(max);
        torture.SetAction((parse, ct) => JournalTorture.RunAsync(
            parse.GetValue(dir)!, parse.GetValue(writers), parse.GetValue(runId), parse.GetValue(max), Console.Out, ct));
        return torture;
    }

    private static async Task<int> RunNodeAsync(ParseResult parse, Option<string> data, Option<string> quota, CancellationToken ct)
    {
        var quotaText = parse.GetValue(quota);
        var quotaBytes = long.MaxValue;
        if (!string.IsNullOrEmpty(quotaText) && !ByteSize.TryParse(quotaText, out quotaBytes))
        {
            await Console.Error.WriteLineAsync($"epost-edge: --quota '{quotaText}' is not a size (examples: 512M, 20G, 1T)").ConfigureAwait(false);
            return 2;
        }

        var settings = new NodeSettings(parse.GetValue(data)!, quotaBytes);
        return await NodeHost.RunAsync(settings, ct).ConfigureAwait(false);
    }

    private static void PrintStatus(LocalStore store)
    {
        Console.WriteLine($"store:    {Path.GetFullPath(store.Directory)}");
        Console.WriteLine($"blocks:   {store.Blocks.Count}");
        Console.WriteLine($"journal:  {store.UsedBytes} bytes, through sequence {store.LastSequence}");
        Console.WriteLine($"open:     {store.OpenReport.Journal}");
        Console.WriteLine($"index:    {(store.OpenReport.IndexRebuilt ? "rebuilt from the journal at open" : "up to date")}");
    }
}
