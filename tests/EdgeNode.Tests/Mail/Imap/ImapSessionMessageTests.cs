using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>FETCH, STORE, SEARCH, COPY/MOVE/EXPUNGE transcripts over a three-message INBOX.</summary>
public sealed class ImapSessionMessageTests
{
    internal const string Message1 = ImapSessionFolderTests.Message1;
    internal const string Message2 = ImapSessionFolderTests.Message2;
    internal const string Message3 = "From: \"Eve\" <e@f.example>\r\nTo: alice@home.lan\r\nSubject: =?UTF-8?Q?Caf=C3=A9?=\r\nDate: Mon, 30 Nov 2026 08:00:00 +0000\r\n\r\nThe third body mentions Zebras.\r\n";

    // RFC 9051 §7.5.2 ENVELOPE of Message1: no Date, so NIL; Sender and Reply-To are absent, so
    // they repeat From; an address is (name adl mailbox host); no To/Cc/Bcc/In-Reply-To/Message-ID.
    private const string Envelope1 = "(NIL \"Hello\" ((NIL NIL \"a\" \"b.example\")) ((NIL NIL \"a\" \"b.example\")) ((NIL NIL \"a\" \"b.example\")) NIL NIL NIL NIL NIL)";

    // RFC 9051 §7.5.2 BODY/BODYSTRUCTURE of a message with no Content-Type: text/plain;
    // charset=us-ascii (RFC 2045 §5.2), 7BIT (RFC 2045 §6.1), no id/description; body-fld-octets
    // 12 ("First body" CRLF) and 1 line. BODYSTRUCTURE adds body-ext-1part: md5, disposition,
    // language, location, all NIL. Type, subtype and parameter names are case-insensitive
    // (RFC 2045 §5.1); the renderer writes them as a header would, in lower case.
    private const string Body1 = "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 12 1)";
    private const string BodyStructure1 = "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL)";

    internal static async Task<ImapTestStore> ThreeMessagesAsync()
    {
        var store = await ImapTestStore.OpenAsync();
        await store.AddAsync(Message1, MessageFlags.Seen);
        await store.AddAsync(Message2);
        await store.AddAsync(Message3, MessageFlags.None, new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.FromHours(-5)));
        return store;
    }

    [Fact]
    public async Task Fetch_flags_size_uid_date_envelope_and_structure()
    {
        await using var c = await ImapTestClient.LoggedInAsync(await ThreeMessagesAsync(), "INBOX");
        Assert.Equal(
            $"* 1 FETCH (FLAGS (\\Seen) RFC822.SIZE {Message1.Length})\r\n" +
            $"* 2 FETCH (FLAGS () RFC822.SIZE {Message2.Length})\r\n" +
            $"* 3 FETCH (FLAGS () RFC822.SIZE {Message3.Length})\r\n" +
            "A1 OK FETCH completed\r\n",
            await c.SendAsync("A1 FETCH 1:* (FLAGS RFC822.SIZE)"));
        Assert.Equal(
            $"* 2 FETCH (UID 2 FLAGS () RFC822.SIZE {Message2.Length})\r\n* 3 FETCH (UID 3 FLAGS () RFC822.SIZE {Message3.Length})\r\nA2 OK FETCH completed\r\n",
            await c.SendAsync("A2 UID FETCH 2:* (FLAGS RFC822.SIZE)"));
        Assert.Equal(
            "* 3 FETCH (UID 3 INTERNALDATE \" 2-Dec-2026 14:30:00 +0000\")\r\nA3 OK FETCH completed\r\n", // the store keeps the instant (UTC), not the zone
            await c.SendAsync("A3 UID FETCH 9:* INTERNALDATE"));
        Assert.Equal(
            $"* 1 FETCH (FLAGS (\\Seen) INTERNALDATE \" 1-Dec-2026 10:00:00 +0000\" RFC822.SIZE {Message1.Length} ENVELOPE {Envelope1} BODY {Body1})\r\nA4 OK FETCH completed\r\n",
            await c.SendAsync("A4 FETCH 1 FULL"));
        Assert.Equal($"* 1 FETCH (BODYSTRUCTURE {BodyStructure1} UID 1)\r\nA5 OK FETCH completed\r\n", await c.SendAsync("A5 FETCH 1 (BODYSTRUCTURE UID)"));
        Assert.Equal("A6 BAD Invalid message sequence number\r\n", await c.SendAsync("A6 FETCH 4 FLAGS"));
        Assert.Equal("A7 OK FETCH completed\r\n", await c.SendAsync("A7 UID FETCH 7 FLAGS"));
        Assert.Equal("A8 BAD Unknown fetch item BOGUS\r\n", await c.SendAsync("A8 FETCH 1 (BOGUS)"));
    }

    [Fact]
    public async Task Fetch_body_sections_partials_and_implicit_seen()
    {
        await using var c = await ImapTestClient.LoggedInAsync(await ThreeMessagesAsync(), "INBOX");
        Assert.Equal(
            $"* 2 FETCH (UID 2 BODY[] {{{Message2.Length}}}\r\n{Message2})\r\nA1 OK FETCH completed\r\n",
            await c.SendAsync("A1 UID FETCH 2 (BODY.PEEK[])"));
        Assert.Equal(MessageFlags.None, c.Store.Inbox.Snapshot().Messages[1].Flags);
        Assert.Equal(
            "* 1 FETCH (BODY[]<0> {4}\r\nFrom)\r\nA2 OK FETCH completed\r\n",
            await c.SendAsync("A2 FETCH 1 BODY.PEEK[]<0.4>"));
        Assert.Equal(
            "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: Hello\r\n\r\n)\r\nA3 OK FETCH completed\r\n",
            await c.SendAsync("A3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)])"));
        Assert.Equal(
            "* 2 FETCH (BODY[TEXT] {13}\r\nSecond body\r\n FLAGS (\\Seen))\r\nA4 OK FETCH completed\r\n",
            await c.SendAsync("A4 FETCH 2 BODY[TEXT]"));
        Assert.Equal(MessageFlags.Seen, c.Store.Inbox.Snapshot().Messages[1].Flags);
        Assert.Equal(
            "* 1 FETCH (BODY[2] \"\")\r\nA5 OK FETCH completed\r\n",
            await c.SendAsync("A5 FETCH 1 BODY.PEEK[2]"));
        Assert.Equal(
            $"* 1 FETCH (RFC822.HEADER {{37}}\r\nFrom: a@b.example\r\nSubject: Hello\r\n\r\n BINARY.SIZE[1] 12)\r\nA6 OK FETCH completed\r\n",
            await c.SendAsync("A6 FETCH 1 (RFC822.HEADER BINARY.SIZE[1])"));
        Assert.Equal(
            $"* 3 FETCH (UID 3 RFC822 {{{Message3.Length}}}\r\n{Message3} FLAGS (\\Seen))\r\nA7 OK FETCH completed\r\n",
            await c.SendAsync("A7 UID FETCH 3 RFC822"));
    }

    [Fact]
    public async Task Store_add_remove_replace_silent_and_read_only()
    {
        await using var c = await ImapTestClient.LoggedInAsync(await ThreeMessagesAsync(), "INBOX");
        Assert.Equal("* 1 FETCH (FLAGS (\\Flagged \\Seen))\r\nA1 OK STORE completed\r\n", await c.SendAsync("A1 STORE 1 +FLAGS (\\Flagged)"));
        Assert.Equal("* 1 FETCH (FLAGS (\\Flagged))\r\nA2 OK STORE completed\r\n", await c.SendAsync("A2 STORE 1 -FLAGS \\Seen"));
        Assert.Equal(
            "* 2 FETCH (UID 2 FLAGS (\\Answered $Label1))\r\n* 3 FETCH (UID 3 FLAGS (\\Answered $Label1))\r\nA3 OK STORE completed\r\n",
            await c.SendAsync("A3 UID STORE 2:3 FLAGS (\\Answered $Label1)"));
        Assert.Equal("A4 OK STORE completed\r\n", await c.SendAsync("A4 UID STORE 2 +FLAGS.SILENT (\\Deleted)"));
        Assert.Equal(MessageFlags.Answered | MessageFlags.Deleted, c.Store.Inbox.Snapshot().Messages[1].Flags);
        Assert.Equal("A5 BAD Bad STORE item or flags\r\n", await c.SendAsync("A5 STORE 1 +FLAGS (\\Bogus)"));
        Assert.Equal("A6 BAD Bad STORE item or flags\r\n", await c.SendAsync("A6 STORE 1 XFLAGS (\\Seen)"));
        await c.SendAsync("A7 EXAMINE INBOX");
        Assert.Equal("A8 NO Mailbox is read-only\r\n", await c.SendAsync("A8 STORE 1 +FLAGS (\\Seen)"));
        Assert.Equal("* 1 FETCH (BODY[]<0> {4}\r\nFrom)\r\nA9 OK FETCH completed\r\n", await c.SendAsync("A9 FETCH 1 BODY[]<0.4>"));
        Assert.Equal(MessageFlags.Flagged, c.Store.Inbox.Snapshot().Messages[0].Flags); // read-only: no \Seen
    }

    [Fact]
    public async Task Search_classic_and_extended()
    {
        await using var c = await ImapTestClient.LoggedInAsync(await ThreeMessagesAsync(), "INBOX");
        Assert.Equal("* SEARCH 2 3\r\nA1 OK SEARCH completed\r\n", await c.SendAsync("A1 SEARCH UNSEEN"));
        Assert.Equal("* SEARCH 2 3\r\nA2 OK SEARCH completed\r\n", await c.SendAsync("A2 UID SEARCH UNSEEN"));
        Assert.Equal("* ESEARCH (TAG \"A3\") UID MIN 2 MAX 3 COUNT 2\r\nA3 OK SEARCH completed\r\n", await c.SendAsync("A3 UID SEARCH RETURN (MIN MAX COUNT) UNSEEN"));
        Assert.Equal("* ESEARCH (TAG \"A4\") ALL 1:3\r\nA4 OK SEARCH completed\r\n", await c.SendAsync("A4 SEARCH RETURN () ALL"));
        Assert.Equal("* ESEARCH (TAG \"A5\") COUNT 0\r\nA5 OK SEARCH completed\r\n", await c.SendAsync("A5 SEARCH RETURN (COUNT ALL) DELETED"));
        Assert.Equal("* SEARCH 2\r\nA6 OK SEARCH completed\r\n", await c.SendAsync("A6 SEARCH SUBJECT lunch"));
        Assert.Equal("* SEARCH 3\r\nA7 OK SEARCH completed\r\n", await c.SendAsync("A7 SEARCH CHARSET UTF-8 SUBJECT café"));
        Assert.Equal("* SEARCH 1 3\r\nA8 OK SEARCH completed\r\n", await c.SendAsync("A8 SEARCH OR FROM a@b TO alice"));
        Assert.Equal("* SEARCH 3\r\nA9 OK SEARCH completed\r\n", await c.SendAsync("A9 SEARCH NOT 1:2"));
        Assert.Equal("* SEARCH 3\r\nB1 OK SEARCH completed\r\n", await c.SendAsync("B1 SEARCH BODY zebras"));
        Assert.Equal("* SEARCH 3\r\nB2 OK SEARCH completed\r\n", await c.SendAsync("B2 SEARCH TEXT \"eve\""));
        Assert.Equal("* SEARCH 3\r\nB3 OK SEARCH completed\r\n", await c.SendAsync("B3 SEARCH SINCE 2-Dec-2026"));
        Assert.Equal("* SEARCH 1 2\r\nB4 OK SEARCH completed\r\n", await c.SendAsync("B4 SEARCH BEFORE 2-Dec-2026"));
        Assert.Equal("* SEARCH 3\r\nB5 OK SEARCH completed\r\n", await c.SendAsync("B5 SEARCH SENTON 30-Nov-2026"));
        Assert.Equal("* SEARCH 3\r\nB6 OK SEARCH completed\r\n", await c.SendAsync($"B6 SEARCH LARGER {Message2.Length}"));
        Assert.Equal("* SEARCH 2\r\nB7 OK SEARCH completed\r\n", await c.SendAsync("B7 SEARCH (UID 2:* NOT HEADER Subject \"CAFÉ\") ALL"));
        Assert.Equal("* SEARCH\r\nB8 OK SEARCH completed\r\n", await c.SendAsync("B8 SEARCH RECENT"));
        Assert.Equal("B9 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n", await c.SendAsync("B9 SEARCH CHARSET KOI8-R ALL"));
        Assert.Equal("C1 BAD Bad search criteria\r\n", await c.SendAsync("C1 SEARCH BEFORE yesterday"));
        await c.SendAsync("C2 ENABLE IMAP4rev2");
        Assert.Equal("* ESEARCH (TAG \"C3\") UID ALL 2:3\r\nC3 OK SEARCH completed\r\n", await c.SendAsync("C3 UID SEARCH UNSEEN"));
    }

    [Fact]
    public async Task Copy_move_and_expunge()
    {
        await using var c = await ImapTestClient.LoggedInAsync(await ThreeMessagesAsync(), "INBOX");
        Assert.Equal("A1 OK [COPYUID 1796169605 1:2 1:2] COPY completed\r\n", await c.SendAsync("A1 COPY 1:2 Archive"));
        Assert.Equal(2, c.Store.Folder("Archive").Snapshot().Messages.Count);
        Assert.Equal("A2 NO [TRYCREATE] No such mailbox\r\n", await c.SendAsync("A2 COPY 1 Nope"));
        Assert.Equal(
            "* OK [COPYUID 1796169603 2 1] Moved\r\n* 2 EXPUNGE\r\nA3 OK MOVE completed\r\n",
            await c.SendAsync("A3 UID MOVE 2 Trash"));
        Assert.Equal("* 2 FETCH (UID 3 FLAGS (\\Deleted))\r\nA4 OK STORE completed\r\n", await c.SendAsync("A4 UID STORE 3 +FLAGS (\\Deleted)"));
        await c.SendAsync("A5 STORE 1 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal("* 2 EXPUNGE\r\nA6 OK EXPUNGE completed\r\n", await c.SendAsync("A6 UID EXPUNGE 2:4")); // UID 2 is gone already
        Assert.Equal("* 1 EXPUNGE\r\nA7 OK EXPUNGE completed\r\n", await c.SendAsync("A7 EXPUNGE"));
        Assert.Empty(c.Store.Inbox.Snapshot().Messages);
    }

    [Fact]
    public async Task Uid_expunge_removes_only_deleted_messages_in_its_set()
    {
        await using var c = await ImapTestClient.LoggedInAsync(await ThreeMessagesAsync(), "INBOX");
        await c.SendAsync("A1 STORE 1:3 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal("* 2 EXPUNGE\r\nA2 OK EXPUNGE completed\r\n", await c.SendAsync("A2 UID EXPUNGE 2"));
        Assert.Equal([1u, 3u], c.Store.Inbox.Snapshot().Messages.Select(m => m.Uid));
    }
}
