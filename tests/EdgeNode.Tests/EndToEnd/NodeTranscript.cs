using System.Diagnostics;
using System.Text;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// What the node processes of one end-to-end test said, in order: the commands run, and every line
/// the running nodes print (tagged with the node's name). Printed when a test fails.
/// </summary>
internal sealed class NodeTranscript
{
    private readonly StringBuilder _text = new();
    private readonly List<Task> _pumps = [];

    /// <summary>Everything so far.</summary>
    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public void Append(string text)
    {
        lock (_text)
        {
            _text.AppendLine(text.TrimEnd('\n'));
        }
    }

    /// <summary>Starts <c>epost-edge ARGS</c> in the background; its output joins the transcript as "[name] line".</summary>
    public Process Start(Dictionary<string, string> environment, string name, params string[] args)
    {
        Append($"$ epost-edge {string.Join(' ', args)} &   ({name})");
        var process = NodeProcess.Start(environment, args);
        lock (_pumps)
        {
            _pumps.Add(Pump(process.StandardOutput, name));
            _pumps.Add(Pump(process.StandardError, name));
        }

        return process;
    }

    /// <summary>Completes when every started node's output has ended.</summary>
    public Task OutputEndedAsync()
    {
        lock (_pumps)
        {
            return Task.WhenAll(_pumps);
        }
    }

    /// <summary>SIGTERM, then the exit code (the wait fails after <paramref name="timeout"/>).</summary>
    public static async Task<int> StopAsync(Process process, TimeSpan timeout)
    {
        _ = NativeSignal.Send(process.Id, NativeSignal.SigTerm);
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    private async Task Pump(StreamReader reader, string name)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            Append($"[{name}] {line}");
        }
    }
}
