using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Cli;

/// <summary><c>epost-edge run</c>: configuration (file &lt; environment &lt; options), validation, the node lock, then the host.</summary>
internal static class RunCommand
{
    /// <summary>The mail domain a data folder gets when <c>run</c> finds it uninitialised (README's first command).</summary>
    public const string DefaultDomain = "home.lan";

    public static async Task<int> RunAsync(CliContext context, string dataDirectory, string? quotaOption, CancellationToken cancellationToken)
    {
        // A fresh folder starts with the embedded defaults, as a new appliance should: the same
        // as `init --domain home.lan`; `init --force` changes it later.
        if (!context.FileSystem.FileExists(NodeConfiguration.PathIn(dataDirectory)))
        {
            context.Output.WriteLine($"{Path.GetFullPath(dataDirectory)} is not initialised: initialising it with the defaults (domain {DefaultDomain})");
            var initialised = InitCommand.Run(context, dataDirectory, [DefaultDomain], hostName: null, force: false);
            if (initialised != ExitCodes.Ok)
            {
                return initialised;
            }
        }

        if (!TryConfigure(context, dataDirectory, quotaOption, out var configuration, out var exit))
        {
            return exit;
        }

        configuration.TryGetQuotaBytes(out var quotaBytes);
        using var held = NodeLock.TryAcquire(dataDirectory);
        if (held is null)
        {
            await context.Error.WriteLineAsync($"epost-edge: a node is already running on {Path.GetFullPath(dataDirectory)} (it holds {NodeLock.FileName})").ConfigureAwait(false);
            return ExitCodes.AlreadyRunning;
        }

        return await NodeHost.RunAsync(new NodeSettings(dataDirectory, quotaBytes), configuration, context.Mail, context.Error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The configuration <c>run</c> would start with, validated; on failure it printed why.</summary>
    public static bool TryConfigure(CliContext context, string dataDirectory, string? quotaOption, out NodeConfiguration configuration, out int exitCode)
    {
        if (!string.IsNullOrEmpty(quotaOption) && !ByteSize.TryParse(quotaOption, out _))
        {
            context.Error.WriteLine($"epost-edge: --quota '{quotaOption}' is not a size (examples: 512M, 20G, 1T)");
            configuration = new NodeConfiguration();
            exitCode = ExitCodes.BadConfiguration;
            return false;
        }

        if (!DataFolder.TryLoad(context, dataDirectory, out configuration, out exitCode))
        {
            return false;
        }

        if (!string.IsNullOrEmpty(quotaOption))
        {
            configuration.Store.Quota = quotaOption; // the command line wins over file and environment
        }

        if (!DataFolder.Check(context, configuration.Validate(context.FileSystem, dataDirectory)))
        {
            exitCode = ExitCodes.BadConfiguration;
            return false;
        }

        return true;
    }
}
