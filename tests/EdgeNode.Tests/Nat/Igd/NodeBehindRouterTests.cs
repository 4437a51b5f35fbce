using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EPostEdge.EdgeNode.Tests.EndToEnd;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Nat.Igd;

/// <summary>
/// The real program behind the namespaced router: <c>run</c> inside the LAN namespace with an
/// overlay whose endpoint is a LAN address (so Nat, left unset, is on) maps its overlay port by
/// PCP, shows it in <c>status</c>, is reachable from the WAN side, and unmaps at SIGTERM.
/// </summary>
[Collection(MiniupnpdCollection.Name)]
public sealed class NodeBehindRouterTests(MiniupnpdGateway gateway, ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _transcript = new();

    [Fact]
    public async Task Run_maps_the_overlay_port_shows_it_in_status_and_unmaps_at_stop()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "node");
        var environment = new Dictionary<string, string>
        {
            ["EPOSTEDGE_Smtp__Port"] = "0",
            ["EPOSTEDGE_Smtp__SubmissionPort"] = "0",
            ["EPOSTEDGE_Smtp__ImplicitTlsPort"] = "0",
            ["EPOSTEDGE_Imap__Port"] = "0",
            ["EPOSTEDGE_Imap__ImplicitTlsPort"] = "0",
            ["EPOSTEDGE_Overlay__Port"] = "4031",
            ["EPOSTEDGE_Overlay__EndPoint"] = "10.77.0.2:4031",
        };
        Process? node = null;
        var pumps = new List<Task>();
        try
        {
            await RunAsync(environment, "init", "--data", data, "--domain", "home.lan", "--hostname", "node.home.lan");
            await RunAsync(environment, "overlay", "create", "--data", data);
            node = StartInNamespace(gateway.LanNamespace, environment, pumps, "run", "--data", data);

            JsonElement nat = default;
            var watch = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(node.HasExited, $"the node exited\n{Transcript}");
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"not mapped after {watch.Elapsed}\n{Transcript}");
                if (!File.Exists(Path.Combine(data, "run", "status.json")))
                {
                    // Until the node has written its status there is nothing to ask (and `status` would hold node.lock, which `run` then waits for).
                    await Task.Delay(100);
                    continue;
                }

                using var status = JsonDocument.Parse((await RunAsync(environment, "status", "--json", "--data", data)).Output);
                if (status.RootElement.TryGetProperty("nat", out var n) && n.ValueKind == JsonValueKind.Object && n.GetProperty("state").GetString() == "mapped")
                {
                    nat = n.Clone();
                    break;
                }

                await Task.Delay(200); // polling status.json, rewritten every 2 s
            }

            output.WriteLine($"mapped and in status.json {watch.Elapsed.TotalSeconds:0.0} s after start");
            Assert.Equal("PCP", nat.GetProperty("protocol").GetString());
            Assert.Equal("10.77.0.1", nat.GetProperty("gateway").GetString()); // the namespace's own default route
            Assert.Equal("192.0.1.7:4031", nat.GetProperty("externalEndPoint").GetString());
            Assert.Equal(4031, nat.GetProperty("tcpPort").GetInt32());
            Assert.Contains("nat:      192.0.1.7:4031 by PCP via 10.77.0.1, UDP+TCP, lease until ", (await RunAsync(environment, "status", "--data", data)).Output, StringComparison.Ordinal);
            Assert.Equal(2, gateway.DnatRules().Count);

            // A peer beyond the router reaches the node's overlay listener through the mapping.
            using (var peer = gateway.Wan.NewSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await peer.ConnectAsync(new IPEndPoint(MiniupnpdGateway.WanGateway, 4031), connect.Token);
            }

            _ = NativeSignal.Send(node.Id, NativeSignal.SigTerm);
            using (var stop = new CancellationTokenSource(CommandTimeout))
            {
                await node.WaitForExitAsync(stop.Token);
            }

            await Task.WhenAll(pumps);
            Assert.Equal(0, node.ExitCode);
            Assert.Empty(gateway.DnatRules());
            Assert.Contains("nat: PCP via 10.77.0.1: overlay port 4031 is reached from the Internet at 192.0.1.7:4031", Transcript, StringComparison.Ordinal);
            Assert.Contains("nat: mappings removed (done)", Transcript, StringComparison.Ordinal);
        }
        finally
        {
            if (node is not null && !node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }

            node?.Dispose();
            output.WriteLine(Transcript);
        }
    }

    private string Transcript
    {
        get
        {
            lock (_transcript)
            {
                return _transcript.ToString();
            }
        }
    }

    private async Task<(string Output, string Error)> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var (exit, stdout, stderr) = await NodeProcess.RunAsync(environment, CommandTimeout, args);
        Append($"$ epost-edge {string.Join(' ', args)}  -> {exit}\n{stdout}{stderr}");
        Assert.True(exit == 0, $"epost-edge {string.Join(' ', args)} exited with {exit} ({NodeProcess.Describe()})\n{Transcript}");
        return (stdout, stderr);
    }

    /// <summary>`ip netns exec NS epost-edge ARGS`: ip enters the namespace and execs the program, so the pid is the node's.</summary>
    private Process StartInNamespace(string ns, Dictionary<string, string> environment, List<Task> pumps, params string[] args)
    {
        Append($"$ ip netns exec {ns} epost-edge {string.Join(' ', args)} &");
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", ns })
        {
            info.ArgumentList.Add(arg);
        }

        if (System.Environment.GetEnvironmentVariable(NodeProcess.BinaryVariable) is { Length: > 0 } binary)
        {
            info.ArgumentList.Add(binary);
        }
        else
        {
            info.ArgumentList.Add("dotnet");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "epost-edge.dll"));
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("EPOSTEDGE_DATA");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        pumps.Add(PumpAsync(process.StandardOutput));
        pumps.Add(PumpAsync(process.StandardError));
        return process;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            Append($"[node] {line}");
        }
    }

    private void Append(string text)
    {
        lock (_transcript)
        {
            _transcript.AppendLine(text.TrimEnd('\n'));
        }
    }
}
