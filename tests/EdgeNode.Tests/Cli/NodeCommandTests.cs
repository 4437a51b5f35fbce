using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using System.Text.Json;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary>The real program, started as a process: run, SIGTERM, status, rebuild-index.</summary>
public sealed partial class NodeCommandTests(ITestOutputHelper output)
{
    private const int SigTerm = 15;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Run_on_a_fresh_folder_initialises_it_opens_the_store_and_stops_cleanly_on_SIGTERM()
    {
        // README's first command: `run` on a folder nobody initialised starts with the defaults.
        using var temp = new TempDirectory();

        // Mail ports off: the defaults may be taken on a developer machine (e.g. Dovecot on 1143).
        var noMailPorts = new Dictionary<string, string>
        {
            ["EPOSTEDGE_Smtp__Port"] = "0",
            ["EPOSTEDGE_Smtp__SubmissionPort"] = "0",
            ["EPOSTEDGE_Smtp__ImplicitTlsPort"] = "0",
            ["EPOSTEDGE_Imap__Port"] = "0",
            ["EPOSTEDGE_Imap__ImplicitTlsPort"] = "0",
        };
        using var node = NodeProcess.Start(noMailPorts, "run", "--data", temp.Path, "--quota", "64M");
        var log = new List<string>();
        var opened = new TaskCompletionSource();
        var reader = Task.Run(async () =>
        {
            while (await node.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (log)
                {
                    log.Add(line);
                }

                if (line.Contains("store open at", StringComparison.Ordinal))
                {
                    opened.TrySetResult();
                }
            }
        });

        await opened.Task.WaitAsync(Timeout);

        // While it runs: status reads the node's status file, a second node is refused.
        var status = await WaitForRunningStatusAsync(temp.Path);
        Assert.Equal(node.Id, status.GetProperty("pid").GetInt32());
        Assert.Equal(64L << 20, status.GetProperty("store").GetProperty("quotaBytes").GetInt64());
        var (secondExit, _, secondError) = await NodeProcess.RunAsync(noMailPorts, Timeout, "run", "--data", temp.Path);
        Assert.Equal(6, secondExit);
        Assert.Contains("already running", secondError, StringComparison.Ordinal);

        Assert.Equal(0, SendSignal(node.Id, SigTerm)); // what systemd sends on stop

        using var cts = new CancellationTokenSource(Timeout);
        await node.WaitForExitAsync(cts.Token);
        await reader;
        output.WriteLine(string.Join('\n', log));
        Assert.Equal(0, node.ExitCode);
        Assert.Contains(log, l => l.Contains("initialising it with the defaults (domain home.lan)", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("store closed", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(temp.Path, "epostedge.json")));
        Assert.True(File.Exists(Path.Combine(temp.Path, "store", "index.litedb")));
        Assert.False(File.Exists(Path.Combine(temp.Path, "run", "status.json"))); // removed on clean stop
    }

    [Fact]
    public async Task Rebuild_index_restores_every_block_after_the_LiteDB_files_are_deleted()
    {
        using var temp = new TempDirectory();
        var storeDir = Path.Combine(temp.Path, "store");
        var random = new SeededRandomSource(7);
        var blocks = new Dictionary<BlockKey, byte[]>();
        await using (var store = LocalStore.Open(new PhysicalFileSystem(), storeDir))
        {
            for (var i = 0; i < 50; i++)
            {
                var content = random.NextBytes(random.NextInt32(1, 20_000));
                blocks[await store.Blocks.PutAsync(content)] = content;
            }
        }

        File.Delete(Path.Combine(storeDir, "index.litedb"));
        File.Delete(Path.Combine(storeDir, "index-log.litedb"));

        var (exit, stdout, stderr) = await NodeProcess.RunAsync(Timeout, "rebuild-index", "--data", temp.Path);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exit);
        Assert.Contains($"{blocks.Count} blocks", stdout, StringComparison.Ordinal);

        await using var reopened = LocalStore.Open(new PhysicalFileSystem(), storeDir);
        Assert.False(reopened.OpenReport.IndexRebuilt);
        foreach (var (key, content) in blocks)
        {
            Assert.Equal(content, await reopened.Blocks.GetAsync(key));
        }
    }

    [Fact]
    public async Task Init_then_status_json_reports_the_store_and_errors_have_their_exit_codes()
    {
        using var temp = new TempDirectory();
        var (notInit, _, notInitError) = await NodeProcess.RunAsync(Timeout, "status", "--data", temp.Path);
        Assert.Equal(4, notInit);
        Assert.Contains("run epost-edge init first", notInitError, StringComparison.Ordinal);

        await InitAsync(temp.Path);
        Assert.True(File.Exists(Path.Combine(temp.Path, "tls", "cert.pem")));
        Assert.True(File.Exists(Path.Combine(temp.Path, "tls", "key.pem")));
        var (again, againOutput, _) = await NodeProcess.RunAsync(Timeout, "init", "--data", temp.Path, "--domain", "home.lan");
        Assert.Equal(0, again);
        Assert.Contains("already initialised", againOutput, StringComparison.Ordinal);

        var (exit, stdout, stderr) = await NodeProcess.RunAsync(Timeout, "status", "--json", "--data", temp.Path);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exit);
        using (var document = JsonDocument.Parse(stdout))
        {
            var root = document.RootElement;
            Assert.False(root.GetProperty("running").GetBoolean());
            Assert.Equal(Path.GetFullPath(temp.Path), root.GetProperty("dataDirectory").GetString());
            Assert.Equal(0, root.GetProperty("store").GetProperty("blocks").GetInt32());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("store").GetProperty("quotaBytes").ValueKind);
        }

        var (badExit, _, badError) = await NodeProcess.RunAsync(Timeout, "run", "--data", temp.Path, "--quota", "lots");
        Assert.Equal(2, badExit);
        Assert.Contains("not a size", badError, StringComparison.Ordinal);

        var environment = new Dictionary<string, string> { ["EPOSTEDGE_Smtp__Port"] = "99999" };
        var (portExit, _, portError) = await NodeProcess.RunAsync(environment, Timeout, "run", "--data", temp.Path);
        Assert.Equal(2, portExit);
        Assert.Contains("Smtp:Port = 99999 is not a port", portError, StringComparison.Ordinal);
    }

    private static async Task InitAsync(string data)
    {
        var (exit, stdout, stderr) = await NodeProcess.RunAsync(Timeout, "init", "--data", data, "--domain", "home.lan", "--hostname", "node.home.lan");
        Assert.True(exit == 0, stdout + stderr);
    }

    /// <summary>Polls <c>status --json</c> until the running node has written its status file.</summary>
    private static async Task<JsonElement> WaitForRunningStatusAsync(string data)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var (exit, stdout, stderr) = await NodeProcess.RunAsync(Timeout, "status", "--json", "--data", data);
            Assert.True(exit == 0, stdout + stderr);
            using var document = JsonDocument.Parse(stdout);
            if (document.RootElement.GetProperty("running").GetBoolean() && document.RootElement.GetProperty("pid").ValueKind == JsonValueKind.Number)
            {
                return document.RootElement.Clone();
            }

            await Task.Delay(200, cts.Token); // polling for the file, not a timing assertion
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
