using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>
/// Issue 7 acceptance, disk: the store reaching its quota, and the data folder's real file system
/// filling up, in the middle of an SMTP flood. New mail gets 452 4.3.1 (never a 250 it cannot
/// keep), the node says "disk near full" in status.json, it survives a SIGKILL in that state with
/// a journal that opens clean and every acknowledged message in its mailbox, and it takes mail
/// again once there is room.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private const string Password = "disk-full-secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly (string Name, string Password)[] Users = [("alice", Password), ("bob", Password)];

    [Fact]
    public async Task The_store_reaching_its_quota_mid_flood_answers_452_survives_a_kill_and_takes_mail_again_with_a_larger_quota()
    {
        await using var node = await MailNode.CreateAsync(Users, new Dictionary<string, string> { ["EPOSTEDGE_Store__Quota"] = "3M" });
        node.RunArguments = ["--profile", "pi-zero-2w"];
        try
        {
            await node.StartAsync();
            var counters = new LoadCounters();
            using (var flood = Flood.Start(node, counters, sessions: 6, messageBytes: 8 * 1024, seed: 1))
            {
                await WaitUntilAsync(() => Interlocked.Read(ref counters.Refused452) >= 20, "20 refusals with 452", node);
                await AssertDiskNearFullAsync(node, expected: true);

                // The health loop (every 5 s) says so too: the LEDs and the health page follow it.
                await WaitUntilAsync(() => node.Transcript.Contains("-> NearBudget (disk near full", StringComparison.Ordinal), "the health loop to report NearBudget", node);

                // The power cut of an appliance nobody watches, while mail is still coming in.
                await node.KillAsync();
            }

            output.WriteLine(Describe(counters));
            Assert.True(counters.Accepted.Count > 0, "nothing was accepted before the quota");
            Assert.Equal(0, counters.OtherFailures);
            Assert.Equal(0, counters.Failed451); // the quota is met with 452 before any write fails

            node.Environment["EPOSTEDGE_Store__Quota"] = "64M";
            await node.StartAsync();
            AssertJournalOpenedClean(node);
            await AssertAllStoredAsync(node, counters);
            await AssertAcceptedAgainAsync(node);
            Assert.Equal(0, await node.StopAsync());
        }
        catch
        {
            output.WriteLine(node.Transcript);
            throw;
        }
    }

    [Fact]
    public async Task A_real_file_system_filling_up_mid_flood_gets_452_mail_flows_again_when_space_returns_and_ENOSPC_loses_nothing()
    {
        Assert.True(Environment.UserName == "root", "this test mounts a tmpfs and needs root (CI runs as root)");
        using var temp = new TempDirectory();
        var mount = Path.Combine(temp.Path, "fs");
        Directory.CreateDirectory(mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=160m,mode=0700", "tmpfs", mount);
        var ballast = Path.Combine(mount, "ballast");
        try
        {
            await using var node = await MailNode.CreateAsync(Users, dataDirectory: Path.Combine(mount, "data"));
            node.RunArguments = ["--profile", "pi-zero-2w"];
            try
            {
                await node.StartAsync();
                var counters = new LoadCounters();
                using (var flood = Flood.Start(node, counters, sessions: 6, messageBytes: 8 * 1024, seed: 2))
                {
                    // 16 MiB left above the 64 MiB the store always keeps free: near full (95 %) after about 8 MiB of mail.
                    Fill(ballast, mount, leaveBytes: 80L << 20);
                    await WaitUntilAsync(() => Interlocked.Read(ref counters.Refused452) >= 20, "20 refusals with 452 on a near-full file system", node);
                    await AssertDiskNearFullAsync(node, expected: true);
                    var acceptedWhenFull = counters.Accepted.Count;

                    // Space returns: the flood is taken in again.
                    File.Delete(ballast);
                    await WaitUntilAsync(() => counters.Accepted.Count > acceptedWhenFull + 20, "mail accepted again after the ballast was deleted", node);
                    await AssertDiskNearFullAsync(node, expected: false);

                    Assert.Equal(0, counters.Failed451); // near full is met with 452 before any write fails

                    // Now really full, as when something else on the machine fills the disk: ENOSPC
                    // for every writer, the node's index and status file included. Nothing may get
                    // 250 that is not kept; the node must not die.
                    Fill(ballast, mount, leaveBytes: 0);
                    var refusedAtFull = Interlocked.Read(ref counters.Refused452) + Interlocked.Read(ref counters.Failed451);
                    acceptedWhenFull = counters.Accepted.Count;
                    await WaitUntilAsync(() => Interlocked.Read(ref counters.Refused452) + Interlocked.Read(ref counters.Failed451) >= refusedAtFull + 20, "452 or 451 on a file system with no space at all", node);
                    Assert.False(node.Process!.HasExited, "the node died on a full file system");
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"on the full file system: {counters.Accepted.Count - acceptedWhenFull} accepted (in flight when it filled)"));

                    // Space returns. A write that met ENOSPC leaves the store refusing writes until
                    // it is reopened (fsyncgate, the index's dead writer): the restart below is the
                    // recovery, as systemd's watchdog would do it.
                    File.Delete(ballast);
                    await node.KillAsync();
                }

                output.WriteLine(Describe(counters));
                Assert.Equal(0, counters.OtherFailures); // only 250, 452 and 451: never a permanent failure
                await node.StartAsync();
                AssertJournalOpenedClean(node);
                await AssertAllStoredAsync(node, counters);
                await AssertAcceptedAgainAsync(node);
                Assert.Equal(0, await node.StopAsync());
            }
            catch
            {
                output.WriteLine(node.Transcript);
                throw;
            }
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
        }
    }

    /// <summary>Writes <paramref name="path"/> until the file system holding <paramref name="mount"/> has <paramref name="leaveBytes"/> left (0: until ENOSPC).</summary>
    private static void Fill(string path, string mount, long leaveBytes)
    {
        var chunk = new byte[1 << 20];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        while (true)
        {
            var available = new DriveInfo(mount).AvailableFreeSpace;
            if (leaveBytes > 0 && available <= leaveBytes)
            {
                return;
            }

            try
            {
                file.Write(chunk, 0, (int)Math.Min(chunk.Length, leaveBytes > 0 ? available - leaveBytes : chunk.Length));
                file.Flush();
            }
            catch (IOException)
            {
                return; // ENOSPC: full
            }
        }
    }

    private static async Task AssertDiskNearFullAsync(MailNode node, bool expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var status = await node.StatusJsonAsync();
            if (status.RootElement.GetProperty("budget").GetProperty("diskNearFull").GetBoolean() == expected)
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"status.json still says diskNearFull = {!expected}: {status.RootElement.GetRawText()}");
            await Task.Delay(500);
        }
    }

    private static void AssertJournalOpenedClean(MailNode node)
    {
        var journal = node.Transcript.Split('\n').Last(l => l.Contains("journal: ", StringComparison.Ordinal));
        Assert.Contains(" 0 corrupt records skipped", journal, StringComparison.Ordinal);
    }

    private async Task AssertAllStoredAsync(MailNode node, LoadCounters counters)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, password) in Users)
        {
            stored.UnionWith(await MemoryLoad.MessageIdsAsync(node.ImapPort, name, password));
        }

        var missing = counters.Accepted.Keys.Where(id => !stored.Contains(id)).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after the restart: {stored.Count} messages stored, {counters.Accepted.Count} were acknowledged with 250, {missing.Count} of them missing"));
        Assert.Empty(missing);
    }

    private static async Task AssertAcceptedAgainAsync(MailNode node)
    {
        using var cts = new CancellationTokenSource(Patience);
        await using var smtp = await RawSmtpClient.ConnectAsync(node.SmtpPort, cts.Token);
        var id = $"{Guid.NewGuid():N}@disk.example.net";
        var (code, text) = await smtp.SendAsync("someone@disk.example.net", $"alice@{MailNode.Domain}", MemoryLoad.Message($"alice@{MailNode.Domain}", id, 4096, 0), cts.Token);
        Assert.True(code == 250, $"a message after the restart got {text}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, MailNode node)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (node.Process is { HasExited: true })
            {
                throw new InvalidOperationException($"the node exited while waiting for {what}");
            }

            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"no {what} within {Patience.TotalSeconds:0} s");
            }

            await Task.Delay(100);
        }
    }

    private static string Describe(LoadCounters c) =>
        string.Create(CultureInfo.InvariantCulture, $"SMTP: {c.Accepted.Count} accepted, {c.Refused452} refused with 452, {c.Refused421} with 421, {c.Failed451} failed with 451, {c.OtherFailures} other failures, {c.ConnectionErrors} connection errors; seen: {string.Join(" | ", c.Notes.Distinct())}");

    private static async Task RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: exit {process.ExitCode}: {error}");
    }

    /// <summary>An SMTP flood of fixed-size messages to the users until disposed.</summary>
    private sealed class Flood : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sessions;

        private Flood(MailNode node, LoadCounters counters, int sessions, int messageBytes, int seed)
        {
            var sequence = 0;
            (string, string, byte[]) Next()
            {
                var n = Interlocked.Increment(ref sequence);
                var to = $"{Users[n % Users.Length].Name}@{MailNode.Domain}";
                var id = string.Create(CultureInfo.InvariantCulture, $"disk-{seed}-{n}@load.example.net");
                return (to, id, MemoryLoad.Message(to, id, messageBytes, n));
            }

            _sessions = Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => new LoadSmtpClient(node.SmtpPort, counters).RunAsync(Next, 50, _stop.Token)));
        }

        public static Flood Start(MailNode node, LoadCounters counters, int sessions, int messageBytes, int seed) => new(node, counters, sessions, messageBytes, seed);

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _sessions.Wait(TimeSpan.FromSeconds(30));
            }
            catch (AggregateException)
            {
                // The node was killed under the sessions: their errors are counted, not thrown.
            }

            _stop.Dispose();
        }
    }
}
