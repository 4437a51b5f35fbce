using System.CommandLine;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.Storage.Local;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>Builds the command tree: <c>run</c> (the default), <c>init</c>, <c>user</c>, <c>status</c>, <c>overlay</c>, <c>invite</c>, <c>join</c>, <c>store</c>, <c>rebuild-index</c>, <c>simulate</c>, <c>identity</c>, <c>journal-torture</c>.</summary>
internal static class NodeCommands
{
    /// <summary>Environment variable that overrides the default data folder.</summary>
    public const string DataEnvironmentVariable = "EPOSTEDGE_DATA";

    /// <summary>Environment variable that overrides the default quota.</summary>
    public const string QuotaEnvironmentVariable = "EPOSTEDGE_QUOTA";

    public static RootCommand Build() => Build(CliContext.System());

    public static RootCommand Build(CliContext context)
    {
        var data = new Option<string>("--data", "-d")
        {
            Description = $"Data folder (default: ${DataEnvironmentVariable} or ./data)",
            DefaultValueFactory = _ => context.GetEnvironment(DataEnvironmentVariable) is { Length: > 0 } d ? d : "./data",
        };
        var quota = new Option<string>("--quota")
        {
            Description = $"Disk quota of the local store, e.g. 512M, 20G (default: Store:Quota in the config file, ${QuotaEnvironmentVariable}, or unlimited)",
        };

        var profile = new Option<string>("--profile")
        {
            Description = $"hw-profile: {string.Join(", ", Profiles.HardwareProfile.BuiltInNames)}, or a JSON file (default: EPOSTEDGE_Profile, or \"Profile\" in the config file)",
        };

        var root = new RootCommand("EPostEdge: a peer-to-peer mail node for the home (ePOST on Pastry, PAST and Glacier).");
        root.Options.Add(data);
        root.Options.Add(quota);
        root.Options.Add(profile);
        root.SetAction((parse, ct) => RunCommand.RunAsync(context, parse.GetValue(data)!, parse.GetValue(quota), parse.GetValue(profile), ct));

        var run = new Command("run", "Run the node in the foreground: store, SMTP and IMAP listeners (systemd: Type=notify).");
        run.Options.Add(data);
        run.Options.Add(quota);
        run.Options.Add(profile);
        run.SetAction((parse, ct) => RunCommand.RunAsync(context, parse.GetValue(data)!, parse.GetValue(quota), parse.GetValue(profile), ct));
        root.Subcommands.Add(run);

        root.Subcommands.Add(InitCommand.Build(context, data));
        root.Subcommands.Add(UserCommands.Build(context, data));
        root.Subcommands.Add(StatusCommand.Build(context, data));
        root.Subcommands.Add(OverlayCommands.BuildOverlay(context, data));
        root.Subcommands.Add(OverlayCommands.BuildInvite(context, data));
        root.Subcommands.Add(OverlayCommands.BuildJoin(context, data));
        root.Subcommands.Add(StoreCommands.Build(context, data));

        var rebuild = new Command("rebuild-index", "Throw the LiteDB index away and rebuild it from the journal alone (the node must be stopped).");
        rebuild.Options.Add(data);
        rebuild.SetAction(async (parse, ct) =>
        {
            var dataDirectory = parse.GetValue(data)!;
            context.FileSystem.CreateDirectory(dataDirectory);
            using var held = NodeLock.TryAcquire(dataDirectory);
            if (held is null)
            {
                await context.Error.WriteLineAsync($"epost-edge: a node is running on {Path.GetFullPath(dataDirectory)}: stop it first").ConfigureAwait(false);
                return ExitCodes.AlreadyRunning;
            }

            await using var store = LocalStore.Open(context.FileSystem, new NodeSettings(dataDirectory, long.MaxValue).StoreDirectory);
            var blocks = await store.RebuildIndexAsync();
            await context.Output.WriteLineAsync($"index rebuilt from the journal: {blocks} blocks, journal through sequence {store.LastSequence}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(rebuild);

        root.Subcommands.Add(SimulateCommand.Build(context));
        root.Subcommands.Add(IdentityCommands.Build(data));
        root.Subcommands.Add(BuildTorture());
        root.Subcommands.Add(SystemdUnitCommand.Build(context));
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
}
