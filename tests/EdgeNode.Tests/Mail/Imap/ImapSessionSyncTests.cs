using System.Text;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>Two sessions on one folder: untagged updates, the EXPUNGE rule of RFC 9051 §7.5.1, IDLE push, CONDSTORE.</summary>
public sealed class ImapSessionSyncTests
{
    [Fact]
    public async Task Changes_from_another_session_arrive_at_the_next_command_and_expunges_wait_for_an_allowed_one()
    {
        var store = await ImapSessionMessageTests.ThreeMessagesAsync();
        await using var a = await ImapTestClient.LoggedInAsync(store, "INBOX");
        await using var b = await ImapTestClient.LoggedInAsync(store, "INBOX");

        await b.SendAsync("B1 STORE 2 +FLAGS (\\Flagged \\Deleted)");
        await b.SendAsync("B2 EXPUNGE");
        await b.SendAsync("B3 APPEND INBOX {3+}\r\nhey");

        // FETCH by sequence number may not shift numbers: no EXPUNGE yet, the new message is announced.
        Assert.Equal(
            "* 1 FETCH (UID 1)\r\n* 4 EXISTS\r\nA1 OK FETCH completed\r\n",
            await a.SendAsync("A1 FETCH 1 UID"));
        Assert.Equal(
            "* 2 FETCH (UID 2 FLAGS ())\r\nA2 OK FETCH completed\r\n",
            await a.SendAsync("A2 FETCH 2 (UID FLAGS)")); // still in view, with the flags last seen
        Assert.Equal("* 2 EXPUNGE\r\nA3 OK NOOP completed\r\n", await a.SendAsync("A3 NOOP"));
        Assert.Equal("* 3 FETCH (UID 4 RFC822.SIZE 3)\r\nA4 OK FETCH completed\r\n", await a.SendAsync("A4 FETCH 3 (UID RFC822.SIZE)"));

        await b.SendAsync("B4 STORE 1 +FLAGS (\\Answered)");
        Assert.Equal("* 1 FETCH (UID 1 FLAGS (\\Answered \\Seen))\r\nA5 OK NOOP completed\r\n", await a.SendAsync("A5 NOOP"));
    }

    [Fact]
    public async Task Idle_pushes_exists_expunge_and_flag_changes_until_done()
    {
        var store = await ImapSessionMessageTests.ThreeMessagesAsync();
        await using var a = await ImapTestClient.LoggedInAsync(store, "INBOX");
        await using var b = await ImapTestClient.LoggedInAsync(store, "INBOX");

        await a.WriteAsync("A1 IDLE\r\n");
        Assert.Equal("+ idling\r\n", await a.ReadLineAsync());

        await store.Mail.DeliverAsync(Encoding.ASCII.GetBytes("Subject: new\r\n\r\nx\r\n"), "x@y.example", ["alice@home.lan"]);
        Assert.Equal("* 4 EXISTS\r\n", await a.ReadLineAsync());

        await b.SendAsync("B1 STORE 2 +FLAGS (\\Seen)");
        Assert.Equal("* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n", await a.ReadLineAsync());

        await b.SendAsync("B2 STORE 1 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal("* 1 FETCH (UID 1 FLAGS (\\Deleted \\Seen))\r\n", await a.ReadLineAsync());
        await b.SendAsync("B3 EXPUNGE");
        Assert.Equal("* 1 EXPUNGE\r\n", await a.ReadLineAsync());

        await a.WriteAsync("DONE\r\n");
        Assert.Equal("A1 OK IDLE terminated\r\n", await a.ReadLineAsync());
        Assert.Equal("A2 OK NOOP completed\r\n", await a.SendAsync("A2 NOOP"));
    }

    [Fact]
    public async Task Idle_ends_with_bad_on_anything_but_done()
    {
        await using var a = await ImapTestClient.LoggedInAsync(select: "INBOX");
        await a.WriteAsync("A1 IDLE\r\n");
        Assert.Equal("+ idling\r\n", await a.ReadLineAsync());
        await a.WriteAsync("NOOP\r\n");
        Assert.Equal("A1 BAD Expected DONE\r\n", await a.ReadLineAsync());
    }

    [Fact]
    public async Task Condstore_modseq_fetch_changedsince_and_unchangedsince()
    {
        var store = await ImapSessionMessageTests.ThreeMessagesAsync(); // modseqs 2, 3, 4
        await using var a = await ImapTestClient.LoggedInAsync(store);
        Assert.Equal("* ENABLED CONDSTORE\r\nA1 OK ENABLE completed\r\n", await a.SendAsync("A1 ENABLE CONDSTORE"));
        Assert.Contains("* OK [HIGHESTMODSEQ 4] Highest\r\n", await a.SendAsync("A2 SELECT INBOX"));
        Assert.Equal(
            "* 2 FETCH (UID 2 FLAGS () MODSEQ (3))\r\n* 3 FETCH (UID 3 FLAGS () MODSEQ (4))\r\nA3 OK FETCH completed\r\n",
            await a.SendAsync("A3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 2)"));
        Assert.Equal(
            "* 2 FETCH (FLAGS (\\Answered) MODSEQ (5))\r\nA4 OK [MODIFIED 3] Conditional STORE failed\r\n",
            await a.SendAsync("A4 STORE 2:3 (UNCHANGEDSINCE 3) +FLAGS (\\Answered)"));
        Assert.Equal(
            "* 3 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (6))\r\nA5 OK STORE completed\r\n",
            await a.SendAsync("A5 UID STORE 3 +FLAGS.SILENT (\\Flagged)"));
        Assert.Equal("* SEARCH 2 3 (MODSEQ 6)\r\nA6 OK SEARCH completed\r\n", await a.SendAsync("A6 SEARCH MODSEQ 5"));
        Assert.Equal("* 1 FETCH (MODSEQ (2))\r\nA7 OK FETCH completed\r\n", await a.SendAsync("A7 FETCH 1 MODSEQ"));
    }

    [Fact]
    public async Task An_idling_client_is_logged_out_after_the_idle_timeout()
    {
        await using var a = await ImapTestClient.LoggedInAsync(select: "INBOX");
        await a.WriteAsync("A1 IDLE\r\n");
        Assert.Equal("+ idling\r\n", await a.ReadLineAsync());
        a.Time.Advance(TimeSpan.FromMinutes(29));
        await a.Store.AddAsync("Subject: still here\r\n\r\n");
        Assert.Equal("* 1 EXISTS\r\n", await a.ReadLineAsync());
        a.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("* BYE Autologout; idle for too long\r\n", await a.ReadLineAsync());
        Assert.True(await a.SessionEndsAsync());
    }

    [Fact]
    public async Task Shutdown_says_BYE()
    {
        var a = await ImapTestClient.LoggedInAsync();
        await a.DisposeAsync();
        Assert.Equal("* BYE Server shutting down\r\n", await a.ReadLineAsync());
    }
}
