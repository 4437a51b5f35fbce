using System.Collections;
using EPostEdge.EdgeNode.Budgets;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Tests.Cli;

namespace EPostEdge.EdgeNode.Tests.Budgets;

/// <summary>The GC heap limit by re-execution, and the thread pool's bounds.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class RuntimeBudgetTests
{
    [Fact]
    public void The_limit_is_hexadecimal_bytes_and_reads_back_with_or_without_0x()
    {
        Assert.Equal("8000000", RuntimeBudget.Hex(128L << 20));
        Assert.True(RuntimeBudget.TryParseHex("8000000", out var plain));
        Assert.True(RuntimeBudget.TryParseHex("0x8000000", out var prefixed));
        Assert.Equal(128L << 20, plain);
        Assert.Equal(plain, prefixed);
        Assert.False(RuntimeBudget.TryParseHex("128M", out _));
    }

    [Fact]
    public void Run_re_executes_itself_with_the_profile_s_limit_and_everything_else_unchanged()
    {
        var image = new RecordingImage();
        var harness = new CliHarness(environment: new Hashtable { ["PATH"] = "/usr/bin", ["NOTIFY_SOCKET"] = "/run/systemd/notify" });
        var context = WithImage(harness.Context, image);
        var configuration = new NodeConfiguration();
        configuration.Budget.GcHeapHardLimit = "128M";

        RunCommand.ReexecWithHeapLimit(context, configuration);

        var (executable, arguments, environment) = Assert.Single(image.Execs);
        Assert.Equal("/usr/bin/epost-edge", executable);
        Assert.Equal(["epost-edge", "run", "--profile", "pi-zero-2w"], arguments);
        Assert.Equal("8000000", environment[RuntimeBudget.HeapLimitVariable]);
        Assert.Equal("/run/systemd/notify", environment["NOTIFY_SOCKET"]); // systemd still finds its socket: same PID, same environment
        Assert.Equal("/usr/bin", environment["PATH"]);
        Assert.Contains("budget: re-executing with DOTNET_GCHeapHardLimit=8000000", harness.Output, StringComparison.Ordinal);
        Assert.Contains("could not re-execute with a GC heap limit (recorded): running without one", harness.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("128M", "8000000")] // the re-executed process: already set, so no loop
    [InlineData("128M", "4000000")] // set by whoever started the node: the environment outranks the profile
    public void Run_does_not_re_execute_without_a_limit_or_when_the_variable_is_set(string limit, string? variable)
    {
        var image = new RecordingImage();
        var environment = new Hashtable();
        if (variable is not null)
        {
            environment[RuntimeBudget.HeapLimitVariable] = variable;
        }

        var configuration = new NodeConfiguration();
        configuration.Budget.GcHeapHardLimit = limit;
        RunCommand.ReexecWithHeapLimit(WithImage(new CliHarness(environment: environment).Context, image), configuration);
        Assert.Empty(image.Execs);
    }

    [Fact]
    public void The_start_up_line_says_whether_the_GC_took_the_limit()
    {
        var budget = new BudgetOptions { MemoryBudget = "200M" };
        var line = RuntimeBudget.Describe(budget, "pi-zero-2w", new Hashtable { [RuntimeBudget.HeapLimitVariable] = "8000000" });
        // This test host was not started with the variable: the GC sees the machine's memory.
        Assert.StartsWith("budget: profile pi-zero-2w, memory budget 200 MiB resident, DOTNET_GCHeapHardLimit=8000000 (128 MiB), NOT honoured; the GC sees ", line, StringComparison.Ordinal);
        Assert.Contains("no GC heap hard limit", RuntimeBudget.Describe(new BudgetOptions(), null, new Hashtable()), StringComparison.Ordinal);
    }

    [Fact]
    public void The_thread_pool_takes_the_profile_s_bounds()
    {
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.GetMaxThreads(out var maxWorkers, out var maxIo);
        try
        {
            var text = RuntimeBudget.ApplyThreadPool(new BudgetOptions { MinThreads = 3, MaxThreads = 1000 });
            ThreadPool.GetMinThreads(out var min, out _);
            ThreadPool.GetMaxThreads(out var max, out _);
            Assert.Equal(3, min);
            Assert.Equal(1000, max);
            Assert.Equal("thread pool 3..1000 workers", text);
        }
        finally
        {
            ThreadPool.SetMaxThreads(maxWorkers, maxIo);
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }
    }

    private static CliContext WithImage(CliContext context, IProcessImage image) => new()
    {
        Input = context.Input,
        Output = context.Output,
        Error = context.Error,
        ReadSecret = context.ReadSecret,
        Environment = context.Environment,
        FileSystem = context.FileSystem,
        Time = context.Time,
        Random = context.Random,
        ProcessImage = image,
    };

    private sealed class RecordingImage : IProcessImage
    {
        public List<(string Executable, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)> Execs { get; } = [];

        public (string Executable, IReadOnlyList<string> Arguments) CommandLine() => ("/usr/bin/epost-edge", ["epost-edge", "run", "--profile", "pi-zero-2w"]);

        public string Exec(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
        {
            Execs.Add((executable, arguments, environment));
            return "recorded";
        }
    }
}
