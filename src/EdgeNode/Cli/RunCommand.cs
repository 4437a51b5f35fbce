using EPostEdge.EdgeNode.Budgets;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge run</c>: configuration (defaults &lt; hw-profile &lt; file &lt; environment &lt;
/// options), validation, the runtime budget (GC heap limit by re-execution, thread pool), the
/// node lock, then the host.
/// </summary>
internal static class RunCommand
{
    /// <summary>The mail domain a data folder gets when <c>run</c> finds it uninitialised (README's first command).</summary>
    public const string DefaultDomain = "home.lan";

    /// <summary>How long <c>run</c> waits for DATA/node.lock before it says another node runs (a <c>status</c> holds it for well under a second).</summary>
    public static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(CliContext context, string dataDirectory, string? quotaOption, string? profileOption, CancellationToken cancellationToken)
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

        if (!TryConfigure(context, dataDirectory, quotaOption, out var configuration, out var exit, profileOption))
        {
            return exit;
        }

        ReexecWithHeapLimit(context, configuration);
        await context.Output.WriteLineAsync(RuntimeBudget.Describe(configuration.Budget, configuration.ProfileName, context.Environment) + "; " + RuntimeBudget.ApplyThreadPool(configuration.Budget)).ConfigureAwait(false);

        configuration.TryGetQuotaBytes(out var quotaBytes);
        using var held = await NodeLock.AcquireAsync(dataDirectory, LockPatience, context.Time, cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            await context.Error.WriteLineAsync($"epost-edge: a node is already running on {Path.GetFullPath(dataDirectory)} (it holds {NodeLock.FileName})").ConfigureAwait(false);
            return ExitCodes.AlreadyRunning;
        }

        return await NodeHost.RunAsync(new NodeSettings(dataDirectory, quotaBytes), configuration, context.Mail, context.Error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The GC reads its heap limit only when the runtime starts: when the profile sets one and the
    /// environment does not, start again in place (execve: same PID, same arguments) with
    /// DOTNET_GCHeapHardLimit. Returns only when no re-execution was needed or it failed (then
    /// the node runs without a heap limit, and says so).
    /// </summary>
    internal static void ReexecWithHeapLimit(CliContext context, NodeConfiguration configuration)
    {
        if (RuntimeBudget.ReexecEnvironment(configuration.Budget.GcHeapHardLimitBytes, context.Environment) is not { } environment || context.ProcessImage is not { } image)
        {
            return;
        }

        context.Output.WriteLine($"budget: re-executing with {RuntimeBudget.HeapLimitVariable}={environment[RuntimeBudget.HeapLimitVariable]} (Budget:GcHeapHardLimit {configuration.Budget.GcHeapHardLimit} of profile {configuration.ProfileName ?? "none"})");
        context.Output.Flush();
        string failure;
        try
        {
            var (executable, arguments) = image.CommandLine();
            failure = image.Exec(executable, arguments, environment);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex.Message;
        }

        context.Error.WriteLine($"epost-edge: warning: could not re-execute with a GC heap limit ({failure}): running without one");
    }

    /// <summary>The configuration <c>run</c> would start with, validated; on failure it printed why.</summary>
    public static bool TryConfigure(CliContext context, string dataDirectory, string? quotaOption, out NodeConfiguration configuration, out int exitCode, string? profileOption = null)
    {
        if (!string.IsNullOrEmpty(quotaOption) && !ByteSize.TryParse(quotaOption, out _))
        {
            context.Error.WriteLine($"epost-edge: --quota '{quotaOption}' is not a size (examples: 512M, 20G, 1T)");
            configuration = new NodeConfiguration();
            exitCode = ExitCodes.BadConfiguration;
            return false;
        }

        if (!DataFolder.TryLoad(context, dataDirectory, out configuration, out exitCode, profileOption))
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
