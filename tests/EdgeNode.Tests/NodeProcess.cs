using System.Diagnostics;

namespace EPostEdge.EdgeNode.Tests;

/// <summary>
/// Starts the real <c>epost-edge</c> program as a child process: the AOT binary named by
/// <c>EPOSTEDGE_BINARY</c> when set (CI sets it), else the build output run with <c>dotnet</c>.
/// </summary>
internal static class NodeProcess
{
    public const string BinaryVariable = "EPOSTEDGE_BINARY";

    /// <summary>Which program the tests run (for messages).</summary>
    public static string Describe() => Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } b ? $"AOT binary {b}" : "epost-edge.dll via dotnet";

    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var binary = Environment.GetEnvironmentVariable(BinaryVariable);
        if (!string.IsNullOrEmpty(binary))
        {
            info.FileName = binary;
        }
        else
        {
            info.FileName = "dotnet";
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "epost-edge.dll"));
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("EPOSTEDGE_DATA");
        info.Environment.Remove("EPOSTEDGE_QUOTA");
        info.Environment.Remove("EPOSTEDGE_PASSPHRASE");

        // The web page off unless a test asks for it: nodes run side by side (eight in one test,
        // and other test runs on the same machine) and would all want the default port.
        info.Environment["EPOSTEDGE_Web__Port"] = "0";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start epost-edge");
    }

    /// <summary>Runs to completion and returns (exit code, stdout, stderr).</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan timeout, params string[] args) =>
        RunAsync(new Dictionary<string, string>(), timeout, args);

    /// <summary>Runs to completion with extra environment variables and returns (exit code, stdout, stderr).</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args) =>
        RunAsync(environment, standardInput: null, timeout, args);

    /// <summary>
    /// Runs to completion with extra environment variables, writing <paramref name="standardInput"/>
    /// (e.g. a password for <c>--password-stdin</c>) before closing standard input.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, string? standardInput, TimeSpan timeout, params string[] args)
    {
        using var process = Start(environment, args);
        if (standardInput is not null)
        {
            try
            {
                await process.StandardInput.WriteAsync(standardInput);
                await process.StandardInput.FlushAsync();
            }
            catch (IOException)
            {
                // The program exited without reading its input; its exit code and stderr say why.
            }
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"epost-edge {string.Join(' ', args)} did not finish within {timeout}; stdout: {await output}; stderr: {await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
