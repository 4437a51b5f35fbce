using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>
/// The memory load of issue 7: many IMAP clients logged in (SELECT, then a loop of FETCH,
/// IDLE and NOOP) and an SMTP flood against one node, while its resident set is sampled from
/// outside; then every message that got 250 is looked for over IMAP by its Message-ID.
/// </summary>
internal static partial class MemoryLoad
{
    /// <summary>Runs the load against <paramref name="node"/> (started) with <paramref name="users"/> (name, password) and reports.</summary>
    public static async Task<MemoryLoadReport> RunAsync(MailNode node, IReadOnlyList<(string Name, string Password)> users, MemoryLoadSettings settings, Action<string> log)
    {
        var pid = node.Process?.Id ?? throw new InvalidOperationException("the node is not running");
        var counters = new LoadCounters();
        var random = new Random(settings.Seed);
        var gate = new Lock();

        // Idle: the node after start-up, before any client.
        await Task.Delay(settings.Settle);
        var idle = RssSampler.Read(pid, "VmRSS:") ?? 0;
        log(string.Create(CultureInfo.InvariantCulture, $"idle RSS {Mib(idle)} MiB"));

        await using var sampler = new RssSampler(pid, settings.SamplePeriod);
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();

        var imap = Enumerable.Range(0, settings.ImapClients).Select(i => ImapLoopAsync(node.ImapPort, users[i % users.Count], i, settings, counters, stop.Token)).ToList();
        var sequence = 0;
        (string, string, byte[]) Next()
        {
            int n;
            int user;
            int size;
            lock (gate)
            {
                n = ++sequence;
                user = random.Next(users.Count);
                size = random.Next(settings.MinMessageBytes, settings.MaxMessageBytes + 1);
            }

            var id = string.Create(CultureInfo.InvariantCulture, $"load-{settings.Seed}-{n}@load.example.net");
            var to = $"{users[user].Name}@{MailNode.Domain}";
            return (to, id, Message(to, id, size, n));
        }

        var smtp = Enumerable.Range(0, settings.SmtpSessions).Select(_ => new LoadSmtpClient(node.SmtpPort, counters).RunAsync(Next, settings.MessagesPerConnection, stop.Token)).ToList();
        await Task.Delay(settings.Duration);
        await stop.CancelAsync();
        await Task.WhenAll(smtp.Concat(imap));
        var loadSeconds = clock.Elapsed.TotalSeconds;
        var peak = sampler.PeakRssBytes;
        var highWater = sampler.ReadHighWaterMark() ?? 0;
        var gone = sampler.ProcessGone || node.Process is null || node.Process.HasExited;
        log(string.Create(CultureInfo.InvariantCulture, $"load done in {loadSeconds:0.0} s: peak sampled RSS {Mib(peak)} MiB over {sampler.Samples} samples, kernel VmHWM {Mib(highWater)} MiB"));

        // Every 250 must be stored: read each user's INBOX Message-IDs.
        var stored = new HashSet<string>(StringComparer.Ordinal);
        if (!gone)
        {
            foreach (var (name, password) in users)
            {
                stored.UnionWith(await MessageIdsAsync(node.ImapPort, name, password));
            }
        }

        var missing = counters.Accepted.Keys.Where(id => !stored.Contains(id)).Order(StringComparer.Ordinal).ToList();
        var after = RssSampler.Read(pid, "VmRSS:") ?? 0;
        return new MemoryLoadReport(settings, idle, peak, highWater, after, loadSeconds, gone, counters, stored.Count, missing);
    }

    /// <summary>One IMAP client: connect (retrying after a BYE), LOGIN, SELECT, then FETCH/IDLE/NOOP until stopped.</summary>
    private static async Task ImapLoopAsync(int port, (string Name, string Password) user, int index, MemoryLoadSettings settings, LoadCounters counters, CancellationToken stop)
    {
        var random = new Random(settings.Seed * 1000 + index);
        await Pause(TimeSpan.FromMilliseconds(index * settings.ImapStaggerMilliseconds), stop);
        while (!stop.IsCancellationRequested)
        {
            LoadImapClient? client = null;
            try
            {
                (client, var refusal) = await LoadImapClient.ConnectAsync(port, stop);
                if (client is null)
                {
                    counters.Add(ref counters.ImapRefusedBye);
                    counters.Note(refusal!);
                    await Pause(TimeSpan.FromMilliseconds(500), stop);
                    continue;
                }

                await client.CommandAsync($"LOGIN {user.Name} \"{user.Password}\"", stop);
                counters.Add(ref counters.ImapLoggedIn);
                var exists = Exists(await client.CommandAsync("SELECT INBOX", stop));
                while (!stop.IsCancellationRequested)
                {
                    switch (random.Next(4))
                    {
                        case 0 when exists > 0:
                            var first = Math.Max(1, exists - 2);
                            await client.CommandAsync(string.Create(CultureInfo.InvariantCulture, $"FETCH {first}:{exists} (UID FLAGS BODY.PEEK[])"), stop);
                            break;
                        case 1:
                            exists = Math.Max(exists, Exists(await client.IdleAsync(TimeSpan.FromMilliseconds(random.Next(500, 2500)), stop)));
                            break;
                        case 2:
                            await client.CommandAsync("UID FETCH 1:* (FLAGS)", stop);
                            break;
                        default:
                            exists = Math.Max(exists, Exists(await client.CommandAsync("NOOP", stop)));
                            break;
                    }

                    counters.Add(ref counters.ImapCommands);
                    await Pause(TimeSpan.FromMilliseconds(random.Next(50, 400)), stop);
                }

                try
                {
                    await client.CommandAsync("LOGOUT", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is IOException or TimeoutException)
                {
                    // LOGOUT answers BYE first; either way the session is over.
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
            {
                counters.Add(ref counters.ImapErrors);
                counters.Note(e.Message);
                await Pause(TimeSpan.FromMilliseconds(500), stop);
            }
            finally
            {
                if (client is not null)
                {
                    await client.DisposeAsync();
                }
            }
        }
    }

    /// <summary>The Message-IDs in a user's INBOX.</summary>
    public static async Task<IReadOnlyList<string>> MessageIdsAsync(int port, string user, string password)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var (client, refusal) = await LoadImapClient.ConnectAsync(port, timeout.Token);
        while (client is null)
        {
            // Refused with BYE (the node is still shedding load): a client tries again later.
            if (timeout.IsCancellationRequested)
            {
                throw new IOException($"verification connection refused for 120 s: {refusal}");
            }

            await Task.Delay(1000, CancellationToken.None);
            (client, refusal) = await LoadImapClient.ConnectAsync(port, timeout.Token);
        }

        await using (client)
        {
            await client.CommandAsync($"LOGIN {user} \"{password}\"", timeout.Token);
            var exists = Exists(await client.CommandAsync("EXAMINE INBOX", timeout.Token));
            if (exists == 0)
            {
                return [];
            }

            var lines = await client.CommandAsync("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", timeout.Token);
            return lines.SelectMany(l => MessageIdPattern().Matches(l).Select(m => m.Groups[1].Value)).ToList();
        }
    }

    /// <summary>A text message of about <paramref name="size"/> bytes; no line starts with '.', so no dot-stuffing.</summary>
    public static byte[] Message(string to, string messageId, int size, int n)
    {
        var text = new StringBuilder(size + 512);
        text.Append("From: <flood@load.example.net>\r\n")
            .Append("To: <").Append(to).Append(">\r\n")
            .Append("Subject: load ").Append(n.ToString(CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Date: Wed, 02 Dec 2026 01:00:00 +0000\r\n")
            .Append("Message-ID: <").Append(messageId).Append(">\r\n")
            .Append("MIME-Version: 1.0\r\n")
            .Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        var line = 0;
        while (text.Length < size)
        {
            text.Append("line ").Append((line++).ToString("D5", CultureInfo.InvariantCulture)).Append(" of message ").Append(n.ToString(CultureInfo.InvariantCulture))
                .Append(": the quick brown fox jumps over the lazy dog\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    public static long Mib(long bytes) => bytes / (1024 * 1024);

    private static int Exists(List<string> untagged)
    {
        var exists = 0;
        foreach (var line in untagged)
        {
            // "* 12 EXISTS" (RFC 9051 §7.4.1)
            var parts = line.Split(' ');
            if (parts.Length == 3 && parts[0] == "*" && parts[2] == "EXISTS" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                exists = n;
            }
        }

        return exists;
    }

    private static async Task Pause(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [GeneratedRegex("Message-ID:\\s*<([^>]+)>", RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdPattern();
}
