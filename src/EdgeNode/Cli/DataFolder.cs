using EPostEdge.EdgeNode.Configuration;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>The data folder as the commands meet it: initialised or not, its configuration readable or not.</summary>
internal static class DataFolder
{
    /// <summary>Loads the hw-profile, DATA/epostedge.json and the environment; on failure prints why and gives the exit code.</summary>
    public static bool TryLoad(CliContext context, string dataDirectory, out NodeConfiguration configuration, out int exitCode, string? profile = null)
    {
        configuration = new NodeConfiguration();
        exitCode = ExitCodes.Ok;
        if (!context.FileSystem.FileExists(NodeConfiguration.PathIn(dataDirectory)))
        {
            context.Error.WriteLine($"epost-edge: {Path.GetFullPath(dataDirectory)} is not initialised: run epost-edge init first (e.g. epost-edge init --data {dataDirectory} --domain home.lan)");
            exitCode = ExitCodes.NotInitialised;
            return false;
        }

        try
        {
            configuration = NodeConfiguration.Load(context.FileSystem, dataDirectory, context.Environment, profile);
            return true;
        }
        catch (InvalidDataException ex)
        {
            context.Error.WriteLine($"epost-edge: {ex.Message}");
            exitCode = ExitCodes.BadConfiguration;
            return false;
        }
    }

    /// <summary>Prints the report's warnings and errors; false when there are errors.</summary>
    public static bool Check(CliContext context, ConfigurationReport report)
    {
        foreach (var warning in report.Warnings)
        {
            context.Error.WriteLine($"epost-edge: warning: {warning}");
        }

        foreach (var error in report.Errors)
        {
            context.Error.WriteLine($"epost-edge: {error}");
        }

        return report.IsValid;
    }
}
