using System.Diagnostics;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Search;
using MimeKit;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Issue 3 acceptance, with MailKit as the client against the real <c>epost-edge</c> process
/// (the AOT binary in CI) on loopback ports: submission with STARTTLS + AUTH, receiving without
/// AUTH, no open relay, byte-identical read-back over IMAP, flags, search, MOVE, IDLE within 1 s,
/// and a 10 MiB APPEND literal. Each test runs its own node in a fresh data folder; on failure
/// the node's command lines and output are printed.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class MailKitEndToEndTests(ITestOutputHelper output)
{
    private const string AlicePassword = "alice-secret-1";
    private const string BobPassword = "bob-secret-22";
    private const string Alice = "alice@" + MailNode.Domain;
    private const string Bob = "bob@" + MailNode.Domain;

    private static readonly (string, string)[] Users = [("alice", AlicePassword), ("bob", BobPassword)];

    [Fact]
    public async Task Submission_with_STARTTLS_and_AUTH_delivers_locally_byte_identical_and_queues_the_external_recipient()
    {
        await WithNodeAsync(async node =>
        {
            var sent = TestMessage.Create(Alice, Bob, "submitted " + Guid.NewGuid().ToString("N"));
            using (var smtp = await MailClients.SubmissionAsync(node, "alice", AlicePassword))
            {
                Assert.True(smtp.IsSecure, "the submission session is not under TLS after STARTTLS");
                await smtp.SendAsync(sent.Load(), MailboxAddress.Parse(Alice), [MailboxAddress.Parse(Bob), MailboxAddress.Parse("carol@example.org")]);
                await smtp.DisconnectAsync(quit: true);
            }

            using var imap = await MailClients.ImapAsync(node, "bob", BobPassword);
            Assert.True(imap.IsSecure, "the IMAP session is not under TLS after STARTTLS");
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            var uid = await WaitForMessageAsync(imap.Inbox, sent.MessageId);
            DeliveredMessage.AssertIdenticalAfterTrace(sent.Raw, await MailClients.RawAsync(imap.Inbox, uid));
            await imap.DisconnectAsync(quit: true);

            // Issue 3 §5: the external recipient is queued durably and shows in status. A running
            // node refreshes what status reads every few seconds, so wait for it.
            var clock = Stopwatch.StartNew();
            var status = await node.StatusJsonAsync();
            while (!CountsUnder(status.RootElement, "queue", "outbound").Any(n => n >= 1) && clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                status.Dispose();
                await Task.Delay(500);
                status = await node.StatusJsonAsync();
            }

            using (status)
            {
                output.WriteLine(status.RootElement.GetRawText());
                var queued = CountsUnder(status.RootElement, "queue", "outbound");
                Assert.True(queued.Any(n => n >= 1), $"status --json shows no queued outbound message 15 s after submission (looked for a number or array under a key containing 'queue' or 'outbound'): {status.RootElement.GetRawText()}");
                Assert.True(CountsUnder(status.RootElement, "user").Contains(2), $"status --json does not report the 2 users (a number or array under a key containing 'user'): {status.RootElement.GetRawText()}");
                Assert.True(CountsUnder(status.RootElement, "message").Any(n => n >= 1), $"status --json does not count the delivered message (a number or array under a key containing 'message'): {status.RootElement.GetRawText()}");
            }
        });
    }

    [Fact]
    public async Task Receiving_port_takes_mail_for_a_local_user_without_AUTH_and_IMAP_returns_it_byte_identical()
    {
        await WithNodeAsync(async node =>
        {
            var sent = TestMessage.Create("someone@example.net", Bob, "received " + Guid.NewGuid().ToString("N"), bodyLines: 200);
            using (var smtp = await MailClients.ReceivingAsync(node))
            {
                Assert.False(smtp.IsAuthenticated);
                await smtp.SendAsync(sent.Load(), MailboxAddress.Parse("someone@example.net"), [MailboxAddress.Parse(Bob)]);
                await smtp.DisconnectAsync(quit: true);
            }

            using var imap = await MailClients.ImapAsync(node, "bob", BobPassword);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            var uid = await WaitForMessageAsync(imap.Inbox, sent.MessageId);
            DeliveredMessage.AssertIdenticalAfterTrace(sent.Raw, await MailClients.RawAsync(imap.Inbox, uid));
        });
    }

    [Fact]
    public async Task Relay_to_an_external_address_without_AUTH_is_refused_with_5_7_1()
    {
        await WithNodeAsync(async node =>
        {
            var message = TestMessage.Create("someone@example.net", "x@example.org", "relay attempt");
            using var smtp = await MailClients.ReceivingAsync(node);
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() =>
                smtp.SendAsync(message.Load(), MailboxAddress.Parse("someone@example.net"), [MailboxAddress.Parse("x@example.org")]));
            output.WriteLine($"refused: {(int)refused.StatusCode} {refused.Message}");
            Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
            Assert.InRange((int)refused.StatusCode, 550, 554);
            Assert.Contains("5.7.1", refused.Message, StringComparison.Ordinal);

            // The session goes on: a local recipient is still accepted on the same connection.
            var local = TestMessage.Create("someone@example.net", Bob, "after the refusal");
            await smtp.SendAsync(local.Load(), MailboxAddress.Parse("someone@example.net"), [MailboxAddress.Parse(Bob)]);
            await smtp.DisconnectAsync(quit: true);
        });
    }

    [Fact]
    public async Task Flags_search_and_move_to_Archive_work_over_IMAP()
    {
        await WithNodeAsync(async node =>
        {
            var token = Guid.NewGuid().ToString("N")[..12];
            var first = TestMessage.Create(Alice, Bob, $"first {token}");
            var second = TestMessage.Create(Alice, Bob, $"second {token}");
            using (var smtp = await MailClients.ReceivingAsync(node))
            {
                await smtp.SendAsync(first.Load(), MailboxAddress.Parse(Alice), [MailboxAddress.Parse(Bob)]);
                await smtp.SendAsync(second.Load(), MailboxAddress.Parse(Alice), [MailboxAddress.Parse(Bob)]);
                await smtp.DisconnectAsync(quit: true);
            }

            using var imap = await MailClients.ImapAsync(node, "bob", BobPassword);
            var inbox = imap.Inbox;
            await inbox.OpenAsync(FolderAccess.ReadWrite);
            var firstUid = await WaitForMessageAsync(inbox, first.MessageId);
            var secondUid = await WaitForMessageAsync(inbox, second.MessageId);

            // STORE +FLAGS, then read the flags back (RFC 9051 §6.4.6).
            await inbox.StoreAsync(firstUid, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Flagged | MessageFlags.Seen) { Silent = true });
            var flags = await inbox.FetchAsync([firstUid, secondUid], new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags));
            Assert.Equal(MessageFlags.Flagged | MessageFlags.Seen, flags.Single(m => m.UniqueId == firstUid).Flags & (MessageFlags.Flagged | MessageFlags.Seen));
            Assert.Equal(MessageFlags.None, flags.Single(m => m.UniqueId == secondUid).Flags & (MessageFlags.Flagged | MessageFlags.Seen));

            // SEARCH (RFC 9051 §6.4.4): by subject, by a flag, and by the lack of one.
            Assert.Equal([secondUid], await inbox.SearchAsync(SearchQuery.SubjectContains($"second {token}")));
            Assert.Equal([firstUid, secondUid], await inbox.SearchAsync(SearchQuery.SubjectContains(token)));
            Assert.Equal([firstUid], (await inbox.SearchAsync(SearchQuery.Flagged)).Intersect([firstUid, secondUid]));
            var unseen = await inbox.SearchAsync(SearchQuery.NotSeen);
            Assert.Contains(secondUid, unseen);
            Assert.DoesNotContain(firstUid, unseen);

            // MOVE with UIDPLUS (RFC 6851, RFC 4315 COPYUID): the new UID is reported.
            Assert.True(imap.Capabilities.HasFlag(MailKit.Net.Imap.ImapCapabilities.UidPlus), "UIDPLUS is not advertised");
            var archive = await imap.GetFolderAsync("Archive");
            var movedUid = await inbox.MoveToAsync(firstUid, archive);
            Assert.True(movedUid.HasValue, "MOVE did not report the new UID (COPYUID)");
            Assert.Empty(await inbox.SearchAsync(SearchQuery.HeaderContains("Message-ID", first.MessageId)));
            Assert.Equal([secondUid], await inbox.SearchAsync(SearchQuery.SubjectContains(token)));

            await archive.OpenAsync(FolderAccess.ReadOnly);
            Assert.Equal([movedUid.Value], await archive.SearchAsync(SearchQuery.SubjectContains($"first {token}")));
            DeliveredMessage.AssertIdenticalAfterTrace(first.Raw, await MailClients.RawAsync(archive, movedUid.Value));
            var movedFlags = await archive.FetchAsync([movedUid.Value], new FetchRequest(MessageSummaryItems.Flags));
            Assert.True(movedFlags.Single().Flags!.Value.HasFlag(MessageFlags.Flagged), "the moved message lost its \\Flagged flag");
        });
    }

    [Fact]
    public async Task An_idling_client_sees_new_mail_within_one_second_of_delivery()
    {
        await WithNodeAsync(async node =>
        {
            using var idler = await MailClients.ImapAsync(node, "bob", BobPassword);
            Assert.True(idler.Capabilities.HasFlag(MailKit.Net.Imap.ImapCapabilities.Idle), "IDLE is not advertised");
            var inbox = idler.Inbox;
            await inbox.OpenAsync(FolderAccess.ReadOnly);
            var before = inbox.Count;
            long sendStarted = 0;
            var noticed = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            inbox.CountChanged += (_, _) =>
            {
                if (inbox.Count > before)
                {
                    noticed.TrySetResult(Stopwatch.GetElapsedTime(Volatile.Read(ref sendStarted)));
                }
            };

            using var stopIdle = new CancellationTokenSource();
            var idle = idler.IdleAsync(stopIdle.Token);
            using var smtp = await MailClients.ReceivingAsync(node);

            // Give IDLE time to reach the server (MailKit has no "idling" callback); the measured
            // delay starts later, at the MAIL command, so this pause is not part of it.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var message = TestMessage.Create(Alice, Bob, "idle " + Guid.NewGuid().ToString("N"));
            Volatile.Write(ref sendStarted, Stopwatch.GetTimestamp());
            await smtp.SendAsync(message.Load(), MailboxAddress.Parse(Alice), [MailboxAddress.Parse(Bob)]);
            var sentIn = Stopwatch.GetElapsedTime(Volatile.Read(ref sendStarted));

            TimeSpan delay;
            try
            {
                delay = await noticed.Task.WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"the idling client saw no new message within 15 s of delivery (the SMTP transaction took {sentIn.TotalMilliseconds:0} ms)");
            }
            finally
            {
                await stopIdle.CancelAsync();
                await idle.WaitAsync(MailClients.Timeout).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            output.WriteLine($"IDLE: new mail seen {delay.TotalMilliseconds:0} ms after MAIL FROM (the SMTP transaction took {sentIn.TotalMilliseconds:0} ms)");
            Assert.True(delay < TimeSpan.FromSeconds(1), $"IDLE notification came {delay.TotalMilliseconds:0} ms after delivery began (limit 1 000 ms)");
        });
    }

    [Fact]
    public async Task Append_of_a_10_MiB_message_through_a_literal_reads_back_identical()
    {
        await WithNodeAsync(async node =>
        {
            var big = TestMessage.CreateLarge(Alice, Bob, "ten mebibytes", 10 * 1024 * 1024, seed: 3);
            using var imap = await MailClients.ImapAsync(node, "bob", BobPassword);
            var inbox = imap.Inbox;
            await inbox.OpenAsync(FolderAccess.ReadWrite);
            var clock = Stopwatch.StartNew();
            var uid = await inbox.AppendAsync(new AppendRequest(big.Load(), MessageFlags.Seen));
            output.WriteLine($"APPEND {big.Raw.Length} bytes took {clock.ElapsedMilliseconds} ms; APPENDUID {uid}");
            Assert.True(uid.HasValue, "APPEND did not report the new UID (UIDPLUS APPENDUID, RFC 4315 §3)");

            var size = await inbox.FetchAsync([uid.Value], new FetchRequest(MessageSummaryItems.Size));
            Assert.Equal((uint)big.Raw.Length, size.Single().Size);
            DeliveredMessage.AssertIdentical(big.Raw, await MailClients.RawAsync(inbox, uid.Value));
        });
    }

    /// <summary>Polls the open folder until a message with this Message-ID is there (delivery may be queued internally).</summary>
    internal static async Task<UniqueId> WaitForMessageAsync(IMailFolder folder, string messageId)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (folder.Count > 0)
            {
                var all = await folder.FetchAsync(0, -1, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope));
                if (all.FirstOrDefault(m => m.Envelope?.MessageId == messageId) is { } found)
                {
                    return found.UniqueId;
                }
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new Xunit.Sdk.XunitException($"message <{messageId}> is not in {folder.FullName} 10 s after its DATA got 250 ({folder.Count} messages there)");
            }

            await Task.Delay(100);
            await folder.CheckAsync();
        }
    }

    /// <summary>
    /// The keys of <c>status --json</c> are the CLI's to define, so look for a count rather than
    /// a path: every number, and every array's length, under a property whose path contains one
    /// of the words (case-insensitive).
    /// </summary>
    private static List<double> CountsUnder(JsonElement element, params string[] words)
    {
        var found = new List<double>();
        Walk(element, string.Empty);
        return found;

        void Walk(JsonElement e, string path)
        {
            var named = words.Any(w => path.Contains(w, StringComparison.OrdinalIgnoreCase));
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        Walk(p.Value, path + "/" + p.Name);
                    }

                    break;
                case JsonValueKind.Array:
                    if (named)
                    {
                        found.Add(e.GetArrayLength());
                    }

                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item, path);
                    }

                    break;
                case JsonValueKind.Number when named:
                    found.Add(e.GetDouble());
                    break;
            }
        }
    }

    private async Task WithNodeAsync(Func<MailNode, Task> test)
    {
        output.WriteLine($"program: {NodeProcess.Describe()}");
        await using var node = await MailNode.CreateAsync(Users);
        try
        {
            await node.StartAsync();
            await test(node);
            Assert.Equal(0, await node.StopAsync());
        }
        catch
        {
            await node.KillAsync();
            output.WriteLine(node.Transcript);
            throw;
        }
    }
}
