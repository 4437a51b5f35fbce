using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EPostEdge.Overlay.Seams;
using MailKit;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Issue 3 acceptance, the mail power-cut test: concurrent SMTP deliveries to bob on the
/// receiving port while the node is SIGKILLed at random moments and restarted. Afterwards, over
/// IMAP, every message whose DATA got <c>250</c> is in INBOX, and no Message-ID is there twice.
/// A message killed between its DATA and the reply may or may not be there (its sender never
/// heard 250 and would retry), but at most once.
/// </summary>
/// <remarks>
/// Like <see cref="Cli.PowerCutTests"/>, SIGKILL ends the process and not the kernel: this proves
/// that "250 only after fsync" holds and that recovery neither loses nor repeats a message.
/// Kills: <c>EPOSTEDGE_MAIL_POWERCUT_KILLS</c> (default 50); seed: <c>EPOSTEDGE_MAIL_POWERCUT_SEED</c>
/// (printed at the start; set it to replay the same kill moments).
/// </remarks>
[Collection(MailEndToEndCollection.Name)]
public sealed class MailPowerCutTests(ITestOutputHelper output)
{
    private const int Clients = 4;
    private const string Password = "bob-secret-22";
    private const string Recipient = "bob@" + MailNode.Domain;

    [Fact]
    public async Task Every_message_that_got_250_is_in_INBOX_exactly_once_after_SIGKILL_at_random_moments()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("EPOSTEDGE_MAIL_POWERCUT_KILLS"), out var k) ? k : 50;
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("EPOSTEDGE_MAIL_POWERCUT_SEED"), out var s) ? s : (ulong)Stopwatch.GetTimestamp();
        output.WriteLine($"mail power-cut: {kills} kills, {Clients} SMTP clients, seed {seed} (replay: EPOSTEDGE_MAIL_POWERCUT_SEED={seed}), program: {NodeProcess.Describe()}");
        var random = new SeededRandomSource(seed);
        var acknowledged = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var inFlight = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var refusals = new ConcurrentBag<string>();
        var killedDuringStart = 0;
        var clock = Stopwatch.StartNew();

        await using var node = await MailNode.CreateAsync([("bob", Password)]);
        try
        {
            for (var run = 0; run < kills; run++)
            {
                await node.StartAsync(waitUntilListening: false);
                using var stopClients = new CancellationTokenSource();
                var clients = Task.CompletedTask;
                var moment = random.NextInt32(0, 8);
                if (moment == 0)
                {
                    // Sometimes during start-up and recovery, before the ports are open.
                    killedDuringStart++;
                    await Task.Delay(random.NextInt32(0, 300));
                }
                else
                {
                    await node.WaitUntilListeningAsync();
                    var port = node.SmtpPort;
                    var thisRun = run;
                    var acknowledgedBefore = acknowledged.Count;
                    clients = Task.WhenAll(Enumerable.Range(0, Clients).Select(c =>
                        Task.Run(() => DeliverUntilStoppedAsync(port, thisRun, c, seed, acknowledged, inFlight, refusals, stopClients.Token))));
                    if (moment > 1)
                    {
                        // Mostly under load: once this run has acknowledged a message (a JIT-compiled
                        // dll on a busy machine needs a while for its first), so every run counts.
                        await WaitForAcknowledgementAsync(acknowledged, acknowledgedBefore, refusals, $"seed {seed}, run {run}");
                    }

                    await Task.Delay(random.NextInt32(0, 500));
                }

                await node.KillAsync();
                await stopClients.CancelAsync();
                await clients;
                Assert.True(refusals.IsEmpty, $"seed {seed}, run {run}: the node refused a delivery: {string.Join("; ", refusals.Take(3))}");
            }

            output.WriteLine($"{kills} kills ({killedDuringStart} during start-up) in {clock.Elapsed.TotalSeconds:0.0} s; {acknowledged.Count} messages got 250, {inFlight.Count} were cut before their reply to DATA");
            await node.StartAsync();
            var present = await MessageIdsInInboxAsync(node);
            var duplicates = present.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
            var missing = acknowledged.Keys.Where(id => !present.Contains(id)).ToList();
            var unknown = present.Where(id => !acknowledged.ContainsKey(id) && !inFlight.ContainsKey(id)).ToList();
            var keptInFlight = inFlight.Keys.Count(present.Contains);
            output.WriteLine($"INBOX holds {present.Count} messages: {keptInFlight} of the {inFlight.Count} cut ones were kept (allowed), {missing.Count} acknowledged ones missing, {duplicates.Count} duplicated");

            Assert.True(missing.Count == 0, $"seed {seed}: {missing.Count} messages got 250 but are not in INBOX after the kills, e.g. {string.Join(", ", missing.Take(5).Select(m => $"{m} (run {acknowledged[m]})"))}");
            Assert.True(duplicates.Count == 0, $"seed {seed}: messages appear more than once: {string.Join(", ", duplicates.Take(5))}");
            Assert.True(unknown.Count == 0, $"seed {seed}: INBOX holds messages nobody sent: {string.Join(", ", unknown.Take(5))}");
            Assert.True(acknowledged.Count > kills, $"too few messages were acknowledged ({acknowledged.Count}) for {kills} kills to mean anything");
            Assert.Equal(0, await node.StopAsync());
        }
        catch
        {
            await node.KillAsync();
            var transcript = node.Transcript;
            output.WriteLine(transcript.Length > 60_000 ? "…" + transcript[^60_000..] : transcript);
            throw;
        }
    }

    private static async Task WaitForAcknowledgementAsync(ConcurrentDictionary<string, int> acknowledged, int before, ConcurrentBag<string> refusals, string where)
    {
        var clock = Stopwatch.StartNew();
        while (acknowledged.Count <= before && refusals.IsEmpty)
        {
            if (clock.Elapsed > MailNode.StartTimeout)
            {
                throw new TimeoutException($"{where}: no delivery got 250 within {MailNode.StartTimeout.TotalSeconds:0} s of the port opening");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>One client: connect, then deliver unique messages until stopped or the node dies under it.</summary>
    private static async Task DeliverUntilStoppedAsync(
        int port, int run, int client, ulong seed, ConcurrentDictionary<string, int> acknowledged, ConcurrentDictionary<string, int> inFlight, ConcurrentBag<string> refusals, CancellationToken ct)
    {
        var sequence = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var smtp = await RawSmtpClient.ConnectAsync(port, ct);
                while (!ct.IsCancellationRequested)
                {
                    var id = string.Create(CultureInfo.InvariantCulture, $"pc-{seed:x}-{run}-{client}-{sequence++}@load.example.net");
                    inFlight[id] = run;
                    var (code, text) = await smtp.SendAsync("load@example.net", Recipient, Message(id), ct);
                    if (code == 250)
                    {
                        inFlight.TryRemove(id, out _);
                        acknowledged[id] = run;
                    }
                    else if (code is >= 500 and < 600)
                    {
                        refusals.Add($"{id}: {text.TrimEnd()}");
                        return;
                    }
                }
            }
            catch (SmtpReplyException e) when (!ct.IsCancellationRequested && e.Code >= 500)
            {
                refusals.Add(e.Message);
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or SmtpReplyException or ObjectDisposedException)
            {
                // The node died under us, is not listening yet, or said 4xx: try again until stopped.
                if (!ct.IsCancellationRequested)
                {
                    await Task.Delay(10, CancellationToken.None);
                }
            }
        }
    }

    private static byte[] Message(string id) => Encoding.ASCII.GetBytes(
        $"From: <load@example.net>\r\nTo: <{Recipient}>\r\nSubject: {id}\r\nMessage-ID: <{id}>\r\nDate: Wed, 02 Dec 2026 01:00:00 +0000\r\n\r\n" +
        string.Concat(Enumerable.Repeat("power-cut load: every acknowledged message must survive a kill.\r\n", 30)));

    private static async Task<List<string>> MessageIdsInInboxAsync(MailNode node)
    {
        using var imap = await MailClients.ImapAsync(node, "bob", Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        if (imap.Inbox.Count == 0)
        {
            return [];
        }

        var summaries = await imap.Inbox.FetchAsync(0, -1, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope));
        Assert.Equal(imap.Inbox.Count, summaries.Count);
        return [.. summaries.Select(m => m.Envelope?.MessageId ?? $"(no Message-ID, UID {m.UniqueId})")];
    }
}
