using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary>The real program, started as a process: run, SIGTERM, status, rebuild-index.</summary>
public sealed partial class NodeCommandTests(ITestOutputHelper output)
{
    private const int SigTerm = 15;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Run_opens_the_store_and_stops_cleanly_on_SIGTERM()
    {
        using var temp = new TempDirectory();
        using var node = NodeProcess.Start("run", "--data", temp.Path, "--quota", "64M");
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
        Assert.Equal(0, SendSignal(node.Id, SigTerm)); // what systemd sends on stop

        using var cts = new CancellationTokenSource(Timeout);
        await node.WaitForExitAsync(cts.Token);
        await reader;
        output.WriteLine(string.Join('\n', log));
        Assert.Equal(0, node.ExitCode);
        Assert.Contains(log, l => l.Contains("store closed", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(temp.Path, "store", "index.litedb")));
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
    public async Task Status_reports_the_store_and_a_bad_quota_is_a_clear_error()
    {
        using var temp = new TempDirectory();
        var (exit, stdout, _) = await NodeProcess.RunAsync(Timeout, "status", "--data", temp.Path);
        Assert.Equal(0, exit);
        Assert.Contains("blocks:   0", stdout, StringComparison.Ordinal);

        var (badExit, _, stderr) = await NodeProcess.RunAsync(Timeout, "run", "--data", temp.Path, "--quota", "lots");
        Assert.Equal(2, badExit);
        Assert.Contains("not a size", stderr, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
