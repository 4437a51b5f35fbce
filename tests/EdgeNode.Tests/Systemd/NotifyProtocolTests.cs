using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EPostEdge.EdgeNode.Tests.EndToEnd;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Systemd;

/// <summary>
/// The sd_notify protocol as systemd would see it from the real node (the AOT binary in CI):
/// the test owns the notification socket ($NOTIFY_SOCKET, a Unix datagram socket), sets
/// WATCHDOG_USEC and WATCHDOG_PID like systemd does for WatchdogSec=, and reads READY=1,
/// WATCHDOG=1 at each health evaluation, STATUS= and STOPPING=1 on SIGTERM. The node's data
/// folder is a small tmpfs in a mount namespace of its own (unshare), which the test then fills
/// up: a real "disk refuses writes", under which the node must turn Failed and stop pinging
/// (systemd would restart it), and come back when space returns. The status LEDs run on a
/// /sys/class/leds-shaped folder and must be given back (trigger restored) on stop.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class NotifyProtocolTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan WatchdogLimit = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    // Mount a tmpfs on the (empty) data folder in this namespace only, copy the initialised
    // folder in, and become the node: WATCHDOG_PID is the shell's pid, which exec keeps.
    private const string Script = """
        set -e
        mount -t tmpfs -o size=16m,mode=0700 epost-edge-test "$DATA_MOUNT"
        cp -a "$DATA_SEED/." "$DATA_MOUNT/"
        export WATCHDOG_PID=$$
        exec "$@" run --data "$DATA_MOUNT"
        """;

    private readonly TempDirectory _temp = new();
    private readonly List<(TimeSpan At, string State)> _received = [];
    private readonly StringBuilder _transcript = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_node_says_ready_pings_while_alive_stops_pinging_when_failed_and_says_stopping()
    {
        var seed = Path.Combine(_temp.Path, "seed");
        var (exit, stdout, stderr) = await NodeProcess.RunAsync(TimeSpan.FromSeconds(90), "init", "--data", seed, "--domain", "home.lan");
        Assert.True(exit == 0, stdout + stderr);
        var mount = Directory.CreateDirectory(Path.Combine(_temp.Path, "data")).FullName;
        var leds = Path.Combine(_temp.Path, "leds");
        Led(leds, "ACT", "0", "255", "none timer heartbeat [mmc0]");
        Led(leds, "PWR", "1", "1", "none timer [default-on]");

        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var socketPath = Path.Combine(_temp.Path, "notify.sock");
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        using var stop = new CancellationTokenSource();
        var receiving = ReceiveAsync(socket, stop.Token);

        var ports = FreePorts.Take(3);
        using var node = Start(new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = ((long)WatchdogLimit.TotalMicroseconds).ToString(CultureInfo.InvariantCulture),
            ["DATA_MOUNT"] = mount,
            ["DATA_SEED"] = seed,
            ["EPOSTEDGE_DATA"] = mount,
            ["EPOSTEDGE_Health__PeriodSeconds"] = "1",

            // The 16 MiB tmpfs is within the store's free-space reserve, so the disk budget would
            // call it near full from the start; this test is about the write that fails.
            ["EPOSTEDGE_Budget__DiskNearFullPercent"] = "100",
            ["EPOSTEDGE_Mail__ListenAddress"] = "127.0.0.1",
            ["EPOSTEDGE_Smtp__Port"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["EPOSTEDGE_Smtp__SubmissionPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["EPOSTEDGE_Smtp__ImplicitTlsPort"] = "0",
            ["EPOSTEDGE_Imap__Port"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["EPOSTEDGE_Imap__ImplicitTlsPort"] = "0",
            ["EPOSTEDGE_Leds__Driver"] = "sysfs",
            ["EPOSTEDGE_Leds__Green"] = "ACT",
            ["EPOSTEDGE_Leds__Red"] = "PWR",
            ["EPOSTEDGE_Leds__ClassPath"] = leds,
        });
        var filler = $"/proc/{node.Id}/root{mount}/filler";
        try
        {
            // Ready, healthy, pinging well within the limit; LEDs: green steady, red off.
            var ready = await WaitForAsync(node, s => s == "READY=1");
            await WaitForAsync(node, s => s == "STATUS=Healthy");
            var pings = await WaitForPingsAsync(node, after: ready, count: 4);
            var gaps = pings.Zip(pings.Skip(1), (a, b) => b - a).ToList();
            Log($"READY=1 at {ready.TotalSeconds:0.00} s; WATCHDOG=1 gaps {string.Join(", ", gaps.Select(g => g.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s (limit {WatchdogLimit.TotalSeconds} s)");
            Assert.All(gaps, gap => Assert.True(gap < WatchdogLimit / 2, $"a WATCHDOG=1 gap of {gap.TotalSeconds:0.00} s, over half the limit\n{Transcript()}"));
            Assert.Contains("WATCHDOG_USEC = 4000000", Transcript(), StringComparison.Ordinal); // WATCHDOG_PID = its own pid: on
            Assert.Equal(("none", "255", "0"), (Read(leds, "ACT", "trigger"), Read(leds, "ACT", "brightness"), Read(leds, "PWR", "brightness")));

            // The data folder fills up: Failed, no more pings (past the limit: systemd would kill it), red LED.
            await FillAsync(filler);
            var failed = await WaitForAsync(node, s => s.StartsWith("STATUS=Failed: the data folder refuses writes", StringComparison.Ordinal));
            await Task.Delay(WatchdogLimit + TimeSpan.FromSeconds(1));
            var late = Received().Where(r => r.At > failed && r.State == "WATCHDOG=1").ToList();
            Assert.True(late.Count == 0, $"{late.Count} WATCHDOG=1 while failed\n{Transcript()}");
            FailIfExited(node);
            Assert.Equal(("0", "1"), (Read(leds, "ACT", "brightness"), Read(leds, "PWR", "brightness")));
            Log($"Failed at {failed.TotalSeconds:0.00} s; no WATCHDOG=1 in the {(WatchdogLimit + TimeSpan.FromSeconds(1)).TotalSeconds} s after");

            // Space returns: healthy again, pinging again.
            File.Delete(filler);
            var healthy = await WaitForAsync(node, s => s == "STATUS=Healthy", after: failed);
            await WaitForPingsAsync(node, after: healthy, count: 1);

            // SIGTERM: STOPPING=1, a clean exit, the LEDs given back.
            Assert.Equal(0, NativeSignal.Send(node.Id, NativeSignal.SigTerm));
            await WaitForAsync(node, s => s == "STOPPING=1", after: healthy);
            using (var cts = new CancellationTokenSource(Wait))
            {
                await node.WaitForExitAsync(cts.Token);
            }

            Assert.True(node.ExitCode == 0, $"exit {node.ExitCode}\n{Transcript()}");
            Assert.Equal(("mmc0", "default-on"), (Read(leds, "ACT", "trigger"), Read(leds, "PWR", "trigger")));
            Log($"STOPPING=1, exit 0, total {_clock.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
                await node.WaitForExitAsync();
            }

            await stop.CancelAsync();
            await receiving;
        }
    }

    private static async Task FillAsync(string path)
    {
        var chunk = new byte[1 << 20];
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            for (var i = 0; i < 64; i++)
            {
                await file.WriteAsync(chunk);
            }
        }
        catch (IOException)
        {
            return; // ENOSPC: full
        }

        throw new InvalidOperationException("64 MiB went into a 16 MiB tmpfs: the data folder is not on it");
    }

    private static void Led(string root, string name, string brightness, string max, string trigger)
    {
        var directory = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        File.WriteAllText(Path.Combine(directory, "brightness"), brightness + "\n");
        File.WriteAllText(Path.Combine(directory, "max_brightness"), max + "\n");
        File.WriteAllText(Path.Combine(directory, "trigger"), trigger + "\n");
    }

    private static string Read(string root, string led, string file) => File.ReadAllText(Path.Combine(root, led, file)).Trim();

    private Process Start(Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--mount", "--propagation", "private", "--", "sh", "-c", Script, "sh" })
        {
            info.ArgumentList.Add(arg);
        }

        if (Environment.GetEnvironmentVariable(NodeProcess.BinaryVariable) is { Length: > 0 } binary)
        {
            info.ArgumentList.Add(Path.GetFullPath(binary));
        }
        else
        {
            info.ArgumentList.Add("dotnet");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "epost-edge.dll"));
        }

        info.Environment.Remove("EPOSTEDGE_QUOTA");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the node");
        process.OutputDataReceived += (_, e) => Append("[out] " + e.Data);
        process.ErrorDataReceived += (_, e) => Append("[err] " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Log($"node pid {process.Id} ({NodeProcess.Describe()})");
        return process;
    }

    private async Task ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

                // sd_notify(3): newline-separated assignments, possibly several per datagram.
                foreach (var state in Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    lock (_received)
                    {
                        _received.Add((_clock.Elapsed, state));
                    }

                    Append("[notify] " + state);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<TimeSpan> WaitForAsync(Process node, Func<string, bool> match, TimeSpan after = default)
    {
        var deadline = _clock.Elapsed + Wait;
        while (_clock.Elapsed < deadline)
        {
            if (Received().FirstOrDefault(r => r.At >= after && match(r.State)) is { State: not null } found)
            {
                return found.At;
            }

            FailIfExited(node);
            await Task.Delay(20);
        }

        throw new TimeoutException($"no matching notification within {Wait}\n{Transcript()}");
    }

    private async Task<List<TimeSpan>> WaitForPingsAsync(Process node, TimeSpan after, int count)
    {
        var deadline = _clock.Elapsed + Wait;
        while (_clock.Elapsed < deadline)
        {
            var pings = Received().Where(r => r.At >= after && r.State == "WATCHDOG=1").Select(r => r.At).ToList();
            if (pings.Count >= count)
            {
                return pings;
            }

            FailIfExited(node);
            await Task.Delay(20);
        }

        throw new TimeoutException($"fewer than {count} WATCHDOG=1 within {Wait}\n{Transcript()}");
    }

    private void FailIfExited(Process node)
    {
        if (node.HasExited)
        {
            node.WaitForExit(); // the output pumps drain
            Assert.Fail($"the node exited ({node.ExitCode})\n{Transcript()}");
        }
    }

    private List<(TimeSpan At, string State)> Received()
    {
        lock (_received)
        {
            return [.. _received];
        }
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("notify protocol: " + line);
        Append(line);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_transcript)
        {
            _transcript.AppendLine(line);
        }
    }

    private string Transcript()
    {
        lock (_transcript)
        {
            return _transcript.ToString();
        }
    }
}
