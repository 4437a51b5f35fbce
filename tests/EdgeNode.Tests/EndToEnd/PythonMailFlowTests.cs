using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Issue 3 acceptance: the same flow with Python's standard smtplib and imaplib
/// (tests/EndToEnd/python/mail_flow.py) against a real node; its output is echoed.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class PythonMailFlowTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Python_smtplib_and_imaplib_run_the_whole_flow()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "python", "mail_flow.py");
        Assert.True(File.Exists(script), $"{script} was not copied to the test output");
        output.WriteLine($"program: {NodeProcess.Describe()}");
        await using var node = await MailNode.CreateAsync([("alice", "alice-secret-1"), ("bob", "bob-secret-22")]);
        try
        {
            await node.StartAsync();
            var (exit, text) = await RunPythonAsync(
                script,
                "--host", "127.0.0.1",
                "--smtp-port", node.SmtpPort.ToString(CultureInfo.InvariantCulture),
                "--submission-port", node.SubmissionPort.ToString(CultureInfo.InvariantCulture),
                "--imap-port", node.ImapPort.ToString(CultureInfo.InvariantCulture),
                "--sender", $"alice:alice-secret-1:alice@{MailNode.Domain}",
                "--recipient", $"bob:bob-secret-22:bob@{MailNode.Domain}");
            output.WriteLine(text);
            Assert.True(exit == 0, $"mail_flow.py exited with {exit}:\n{text}");
            Assert.Equal(0, await node.StopAsync());
        }
        catch
        {
            await node.KillAsync();
            output.WriteLine(node.Transcript);
            throw;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunPythonAsync(string script, params string[] args)
    {
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start python3");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"mail_flow.py did not finish within {Timeout}\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
