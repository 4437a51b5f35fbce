using System.Globalization;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>
/// Issue 7 acceptance, memory: the real node (the AOT binary in CI) under <c>run --profile
/// pi-zero-2w</c>, 200 IMAP clients logged in (SELECT, then FETCH / IDLE / NOOP) and an SMTP
/// flood at once; its resident set, sampled every 100 ms from /proc and read as the kernel's
/// own high-water mark, never goes above the profile's memory budget, it does not crash, and
/// every message that got 250 is in a mailbox afterwards. The figures are printed;
/// <c>scripts/load-memory.sh</c> runs the same test longer and bigger.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class MemoryLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_the_pi_zero_2w_profile_200_IMAP_clients_and_an_SMTP_flood_stay_under_the_memory_budget_and_every_accepted_mail_is_stored()
    {
        var settings = MemoryLoadSettings.FromEnvironment();
        var users = Enumerable.Range(0, settings.Users).Select(i => ($"user{i}", $"load-password-{i}")).ToList();
        await using var node = await MailNode.CreateAsync(users);
        node.RunArguments = ["--profile", settings.Profile];
        try
        {
            await node.StartAsync();
            long budget;
            long gcLimit;
            using (var status = await WaitForBudgetAsync(node))
            {
                var b = status.RootElement.GetProperty("budget");
                budget = b.GetProperty("memoryBudgetBytes").GetInt64();
                gcLimit = b.GetProperty("gcHeapLimitBytes").GetInt64();
                Assert.Equal(settings.Profile, b.GetProperty("profile").GetString());
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{NodeProcess.Describe()}: memory budget {budget / (1024 * 1024)} MiB, the GC sees {gcLimit / (1024 * 1024)} MiB"));
            Assert.Contains("), honoured; the GC sees", node.Transcript, StringComparison.Ordinal);

            var report = await MemoryLoad.RunAsync(node, users, settings, output.WriteLine);
            output.WriteLine(report.ToString());

            Assert.False(report.NodeDied, "the node died under load");
            Assert.True(report.HighWaterRssBytes <= budget, $"the node's peak RSS (VmHWM) {report.HighWaterRssBytes} is above the budget {budget}");
            Assert.True(report.PeakSampledRssBytes <= budget, $"a sampled RSS {report.PeakSampledRssBytes} is above the budget {budget}");
            Assert.True(report.Counters.Accepted.Count >= settings.SmtpSessions, $"only {report.Counters.Accepted.Count} messages were accepted");
            Assert.True(report.Counters.ImapLoggedIn >= settings.ImapClients, $"only {report.Counters.ImapLoggedIn} of {settings.ImapClients} IMAP clients logged in");
            Assert.Equal(0, report.Counters.OtherFailures);
            Assert.Empty(report.Missing);
            Assert.Equal(0, await node.StopAsync());
        }
        catch
        {
            output.WriteLine(node.Transcript);
            throw;
        }
    }

    [Fact]
    public async Task Under_a_budget_below_its_working_set_the_node_sheds_new_sessions_and_mail_instead_of_dying_and_takes_them_again_after()
    {
        // 96 MiB: shedding from 81.6 MiB resident, lifting below 72; the load above needs about 120.
        // (At 80 MiB a CI run stayed at 70 MiB after the load, a hair from the shedding mark.)
        var settings = MemoryLoadSettings.Ci with { ImapClients = 120, Duration = TimeSpan.FromSeconds(12) };
        var users = Enumerable.Range(0, settings.Users).Select(i => ($"user{i}", $"load-password-{i}")).ToList();
        await using var node = await MailNode.CreateAsync(users, new Dictionary<string, string> { ["EPOSTEDGE_Budget__MemoryBudget"] = "96M" });
        node.RunArguments = ["--profile", settings.Profile];
        try
        {
            await node.StartAsync();
            var report = await MemoryLoad.RunAsync(node, users, settings, output.WriteLine);
            output.WriteLine(report.ToString());

            Assert.False(report.NodeDied, "the node died under load");
            Assert.True(report.Counters.MemoryRefusals > 0, "no client was refused for memory");
            Assert.Contains("shedding load: memory near its budget", node.Transcript, StringComparison.Ordinal);
            Assert.Equal(0, report.Counters.OtherFailures);
            Assert.Empty(report.Missing);

            // The load is gone: memory falls back (forced collections help) and shedding lifts.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                using var status = await node.StatusJsonAsync();
                var budget = status.RootElement.GetProperty("budget");
                if (!budget.GetProperty("memoryShedding").GetBoolean())
                {
                    output.WriteLine($"shedding lifted after {clock.Elapsed.TotalSeconds:0.0} s: {budget.GetRawText()}");
                    break;
                }

                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"still shedding 60 s after the load: {budget.GetRawText()}");
                await Task.Delay(1000);
            }

            Assert.Contains("memory back under the resume mark", node.Transcript, StringComparison.Ordinal);
            // A sender retries a 4xx (RFC 5321 §4.5.4.1): one that still meets 421 comes back a second later.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var (code, text) = (0, string.Empty);
            for (var attempt = 0; code != 250 && attempt < 30; attempt++)
            {
                try
                {
                    await using var smtp = await RawSmtpClient.ConnectAsync(node.SmtpPort, cts.Token);
                    (code, text) = await smtp.SendAsync("someone@far.example", $"user0@{MailNode.Domain}", MemoryLoad.Message($"user0@{MailNode.Domain}", "after-shedding@load.example.net", 4096, 0), cts.Token);
                }
                catch (SmtpReplyException ex) when (ex.Code == 421)
                {
                    (code, text) = (421, ex.Message);
                }

                if (code != 250)
                {
                    output.WriteLine($"after the load, attempt {attempt + 1}: {text}");
                    await Task.Delay(1000, cts.Token);
                }
            }

            Assert.True(code == 250, $"30 s after shedding lifted a message still got {text}");
            Assert.Equal(0, await node.StopAsync());
        }
        catch
        {
            output.WriteLine(node.Transcript);
            throw;
        }
    }

    [Fact]
    public async Task Twenty_9_MB_messages_at_once_get_250_421_or_452_never_an_out_of_memory_and_the_node_takes_mail_after()
    {
        (string, string)[] users = [("user0", "load-password-0")];
        await using var node = await MailNode.CreateAsync(users);
        node.RunArguments = ["--profile", "pi-zero-2w"];
        try
        {
            await node.StartAsync();
            var replies = new System.Collections.Concurrent.ConcurrentBag<int>();
            var accepted = new System.Collections.Concurrent.ConcurrentBag<string>();
            for (var wave = 0; wave < 2; wave++)
            {
                await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
                    var id = string.Create(CultureInfo.InvariantCulture, $"big-{wave}-{i}@load.example.net");
                    try
                    {
                        await using var smtp = await RawSmtpClient.ConnectAsync(node.SmtpPort, cts.Token);
                        var (code, _) = await smtp.SendAsync("big@far.example", $"user0@{MailNode.Domain}", MemoryLoad.Message($"user0@{MailNode.Domain}", id, 9_000_000, i), cts.Token);
                        replies.Add(code);
                        if (code == 250)
                        {
                            accepted.Add(id);
                        }
                    }
                    catch (SmtpReplyException e)
                    {
                        replies.Add(e.Code); // 421 at connect or 452 to MAIL: memory near its budget
                    }
                }));
            }

            output.WriteLine($"replies: {string.Join(", ", replies.GroupBy(c => c).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}"))}; peak RSS {RssSampler.Read(node.Process!.Id, "VmHWM:") / (1024 * 1024)} MiB");
            Assert.False(node.Process!.HasExited, "the node died");
            Assert.DoesNotContain("OutOfMemoryException", node.Transcript, StringComparison.Ordinal);
            Assert.All(replies, code => Assert.True(code is 250 or 421 or 452, $"a 9 MB message got {code}"));
            Assert.Equal(40, replies.Count);
            var stored = await MemoryLoad.MessageIdsAsync(node.ImapPort, "user0", "load-password-0");
            Assert.All(accepted, id => Assert.Contains(id, stored));

            // Afterwards the node takes mail again (shedding, if the burst started it, lifts).
            using var after = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                try
                {
                    await using var smtp = await RawSmtpClient.ConnectAsync(node.SmtpPort, after.Token);
                    var (code, text) = await smtp.SendAsync("small@far.example", $"user0@{MailNode.Domain}", MemoryLoad.Message($"user0@{MailNode.Domain}", "small-after@load.example.net", 4096, 0), after.Token);
                    Assert.True(code == 250, $"a small message after the burst got {text}");
                    break;
                }
                catch (SmtpReplyException e) when (e.Code is 421 or 452 && !after.IsCancellationRequested)
                {
                    await Task.Delay(1000);
                }
            }

            Assert.Equal(0, await node.StopAsync());
        }
        catch
        {
            output.WriteLine(node.Transcript);
            throw;
        }
    }

    /// <summary>status --json once the node has written its budget (its first status file is written before the first sample).</summary>
    private static async Task<System.Text.Json.JsonDocument> WaitForBudgetAsync(MailNode node)
    {
        for (var i = 0; ; i++)
        {
            var status = await node.StatusJsonAsync();
            if (status.RootElement.TryGetProperty("budget", out var b) && b.ValueKind == System.Text.Json.JsonValueKind.Object || i == 50)
            {
                return status;
            }

            status.Dispose();
            await Task.Delay(200);
        }
    }
}
