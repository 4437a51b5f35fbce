using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>LIST, LSUB, STATUS, CREATE/DELETE/RENAME, (UN)SUBSCRIBE, SELECT/EXAMINE/CLOSE/UNSELECT, APPEND.</summary>
public sealed class ImapSessionFolderTests
{
    internal const string Message1 = "From: a@b.example\r\nSubject: Hello\r\n\r\nFirst body\r\n";
    internal const string Message2 = "From: c@d.example\r\nSubject: Lunch\r\n\r\nSecond body\r\n";

    [Fact]
    public async Task List_all_shows_children_and_special_use_attributes()
    {
        var store = await ImapTestStore.OpenAsync();
        await store.Alice.CreateFolderAsync("Archive/2025");
        await using var c = await ImapTestClient.LoggedInAsync(store);
        Assert.Equal(
            // RFC 9051 §6.3.9 leaves the order open; the store gives INBOX, then names in ordinal order.
            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n" +
            "* LIST (\\HasChildren \\Archive) \"/\" \"Archive\"\r\n" +
            "* LIST (\\HasNoChildren) \"/\" \"Archive/2025\"\r\n" +
            "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"\r\n" +
            "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"\r\n" +
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n" +
            "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"\r\n" +
            "A1 OK LIST completed\r\n",
            await c.SendAsync("A1 LIST \"\" \"*\""));
        Assert.Equal(
            "* LIST (\\HasChildren \\Archive) \"/\" \"Archive\"\r\nA2 OK LIST completed\r\n",
            await c.SendAsync("A2 LIST \"\" \"A%\""));
        Assert.Equal(
            "* LIST (\\HasNoChildren) \"/\" \"Archive/2025\"\r\nA3 OK LIST completed\r\n",
            await c.SendAsync("A3 LIST Archive/ %"));
        Assert.Equal("* LIST (\\Noselect) \"/\" \"\"\r\nA4 OK LIST completed\r\n", await c.SendAsync("A4 LIST \"\" \"\""));
        Assert.Equal("* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\nA5 OK LIST completed\r\n", await c.SendAsync("A5 LIST \"\" inbox"));
    }

    [Fact]
    public async Task List_extended_selection_and_return_options_and_lsub()
    {
        var store = await ImapTestStore.OpenAsync();
        await store.AddAsync(Message1);
        await store.Alice.CreateFolderAsync("Projects");
        await using var c = await ImapTestClient.LoggedInAsync(store);
        Assert.Equal(
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"INBOX\"\r\n" +
            "* STATUS \"INBOX\" (MESSAGES 1 UNSEEN 1)\r\n" +
            "A1 OK LIST completed\r\n",
            await c.SendAsync("A1 LIST (SUBSCRIBED) \"\" (INBOX Projects) RETURN (CHILDREN STATUS (MESSAGES UNSEEN))"));
        Assert.Equal(
            "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"\r\n" +
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n" +
            "A2 OK LIST completed\r\n",
            await c.SendAsync("A2 LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE)").ContinueWith(t => string.Concat(t.Result.Split("\r\n", StringSplitOptions.None).Where(l => !l.Contains("Trash") && !l.Contains("Junk") && !l.Contains("Archive")).Select(l => l.Length > 0 ? l + "\r\n" : ""))));
        Assert.Equal("A3 OK SUBSCRIBE completed\r\n", await c.SendAsync("A3 SUBSCRIBE Projects"));
        Assert.Equal("A4 OK UNSUBSCRIBE completed\r\n", await c.SendAsync("A4 UNSUBSCRIBE Sent"));
        Assert.Equal(
            "* LSUB (\\HasNoChildren) \"/\" \"Projects\"\r\nA5 OK LSUB completed\r\n",
            await c.SendAsync("A5 LSUB \"\" P*"));
        Assert.Equal("A6 OK LSUB completed\r\n", await c.SendAsync("A6 LSUB \"\" Sent"));
        Assert.Equal("A7 NO [NONEXISTENT] No such mailbox\r\n", await c.SendAsync("A7 SUBSCRIBE Nope"));
    }

    [Fact]
    public async Task Status_reports_the_requested_items_in_order()
    {
        var store = await ImapTestStore.OpenAsync();
        await store.AddAsync(Message1, MessageFlags.Seen);
        await store.AddAsync(Message2, MessageFlags.Deleted);
        await using var c = await ImapTestClient.LoggedInAsync(store);
        var size = Message1.Length + Message2.Length;
        Assert.Equal(
            $"* STATUS \"INBOX\" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1796169600 UNSEEN 1 DELETED 1 SIZE {size} HIGHESTMODSEQ 3 RECENT 0)\r\nA1 OK STATUS completed\r\n",
            await c.SendAsync("A1 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ RECENT)"));
        Assert.Equal("A2 NO [NONEXISTENT] No such mailbox\r\n", await c.SendAsync("A2 STATUS Nope (MESSAGES)"));
        Assert.Equal("A3 BAD Unknown STATUS item\r\n", await c.SendAsync("A3 STATUS INBOX (BOGUS)"));
    }

    [Fact]
    public async Task Create_delete_rename_and_their_refusals()
    {
        await using var c = await ImapTestClient.LoggedInAsync();
        Assert.Equal("A1 OK CREATE completed\r\n", await c.SendAsync("A1 CREATE Work/"));
        Assert.Equal("A2 NO [ALREADYEXISTS] folder Work exists already\r\n", await c.SendAsync("A2 CREATE Work"));
        Assert.Equal("A3 OK CREATE completed\r\n", await c.SendAsync("A3 CREATE Work/Plans"));
        Assert.Equal("A4 OK RENAME completed\r\n", await c.SendAsync("A4 RENAME Work Job"));
        Assert.Equal(
            "* LIST (\\HasChildren) \"/\" \"Job\"\r\n* LIST (\\HasNoChildren) \"/\" \"Job/Plans\"\r\nA5 OK LIST completed\r\n",
            await c.SendAsync("A5 LIST \"\" Job*"));
        Assert.Equal("A6 NO [NONEXISTENT] no folder Work\r\n", await c.SendAsync("A6 RENAME Work Other"));
        Assert.Equal("A7 OK DELETE completed\r\n", await c.SendAsync("A7 DELETE Job/Plans"));
        Assert.Equal("A8 NO [CANNOT] INBOX cannot be deleted\r\n", await c.SendAsync("A8 DELETE INBOX"));
        Assert.Equal("A9 NO [NONEXISTENT] no folder Job/Plans\r\n", await c.SendAsync("A9 DELETE Job/Plans"));
    }

    [Fact]
    public async Task Non_ascii_names_travel_as_modified_utf7_until_utf8_is_enabled()
    {
        await using var c = await ImapTestClient.LoggedInAsync();
        Assert.Equal("A1 OK CREATE completed\r\n", await c.SendAsync("A1 CREATE R&AOk-sum&AOk-"));
        Assert.NotNull(c.Store.Alice.GetFolder("Résumé"));
        Assert.Equal("* LIST (\\HasNoChildren) \"/\" \"R&AOk-sum&AOk-\"\r\nA2 OK LIST completed\r\n", await c.SendAsync("A2 LIST \"\" R*"));
        await c.SendAsync("A3 ENABLE UTF8=ACCEPT");
        Assert.Equal("* LIST (\\HasNoChildren) \"/\" {8}\r\nRésumé\r\nA4 OK LIST completed\r\n", await c.SendAsync("A4 LIST \"\" R*"));
    }

    [Fact]
    public async Task Select_examine_close_and_unselect()
    {
        var store = await ImapTestStore.OpenAsync();
        await store.AddAsync(Message1, MessageFlags.Seen | MessageFlags.Deleted);
        await store.AddAsync(Message2);
        await using var c = await ImapTestClient.LoggedInAsync(store);
        Assert.Equal(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n" +
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n" +
            "* 2 EXISTS\r\n" +
            "* 0 RECENT\r\n" +
            "* OK [UNSEEN 2] First unseen\r\n" +
            "* OK [UIDVALIDITY 1796169600] UIDs valid\r\n" +
            "* OK [UIDNEXT 3] Predicted next UID\r\n" +
            "A1 OK [READ-WRITE] SELECT completed\r\n",
            await c.SendAsync("A1 SELECT INBOX"));
        Assert.Equal(
            "* OK [CLOSED] Previous mailbox closed\r\n" +
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n" +
            "* OK [PERMANENTFLAGS ()] Read-only mailbox\r\n" +
            "* 2 EXISTS\r\n" +
            "* 0 RECENT\r\n" +
            "* OK [UNSEEN 2] First unseen\r\n" +
            "* OK [UIDVALIDITY 1796169600] UIDs valid\r\n" +
            "* OK [UIDNEXT 3] Predicted next UID\r\n" +
            "* OK [HIGHESTMODSEQ 3] Highest\r\n" +
            "A2 OK [READ-ONLY] EXAMINE completed\r\n",
            await c.SendAsync("A2 EXAMINE inbox (CONDSTORE)"));
        Assert.Equal("A3 OK CLOSE completed\r\n", await c.SendAsync("A3 CLOSE"));
        Assert.Equal(2, store.Inbox.Snapshot().Messages.Count); // EXAMINE: CLOSE expunges nothing
        Assert.Equal("A4 BAD CLOSE not allowed now\r\n", await c.SendAsync("A4 CLOSE"));

        await c.SendAsync("A5 SELECT INBOX");
        Assert.Equal("A6 OK UNSELECT completed\r\n", await c.SendAsync("A6 UNSELECT"));
        Assert.Equal(2, store.Inbox.Snapshot().Messages.Count);
        await c.SendAsync("A7 SELECT INBOX");
        Assert.Equal("A8 OK CLOSE completed\r\n", await c.SendAsync("A8 CLOSE"));
        Assert.Equal([2u], store.Inbox.Snapshot().Messages.Select(m => m.Uid));
        Assert.Equal("A9 NO [NONEXISTENT] No such mailbox\r\n", await c.SendAsync("A9 SELECT Nope"));
    }

    [Fact]
    public async Task Select_for_imap4rev2_omits_recent_and_unseen()
    {
        var store = await ImapTestStore.OpenAsync();
        await store.AddAsync(Message1);
        await using var c = await ImapTestClient.LoggedInAsync(store);
        await c.SendAsync("A1 ENABLE IMAP4rev2");
        Assert.Equal(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n" +
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n" +
            "* 1 EXISTS\r\n" +
            "* OK [UIDVALIDITY 1796169600] UIDs valid\r\n" +
            "* OK [UIDNEXT 2] Predicted next UID\r\n" +
            "A2 OK [READ-WRITE] SELECT completed\r\n",
            await c.SendAsync("A2 SELECT INBOX"));
    }

    [Fact]
    public async Task Append_with_a_synchronising_literal_flags_and_date()
    {
        await using var c = await ImapTestClient.LoggedInAsync();
        await c.WriteAsync($"A1 APPEND Drafts (\\Draft $Work) \" 5-Dec-2026 13:14:15 +0100\" {{{Message1.Length}}}\r\n");
        Assert.Equal("+ Ready for literal data\r\n", await c.ReadLineAsync());
        await c.WriteAsync(Message1 + "\r\n");
        Assert.Equal("A1 OK [APPENDUID 1796169602 1] APPEND completed\r\n", await c.ReadUntilTaggedAsync("A1"));
        var m = Assert.Single(c.Store.Folder("Drafts").Snapshot().Messages);
        Assert.Equal(MessageFlags.Draft, m.Flags);
        Assert.Equal(["$Work"], m.Keywords);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 13, 14, 15, TimeSpan.FromHours(1)), m.InternalDate);
        Assert.Equal(Message1.Length, m.Size);
    }

    [Fact]
    public async Task Append_with_LITERAL_plus_to_the_selected_folder_announces_EXISTS()
    {
        await using var c = await ImapTestClient.LoggedInAsync(select: "INBOX");
        Assert.Equal(
            "* 1 EXISTS\r\nA1 OK [APPENDUID 1796169600 1] APPEND completed\r\n",
            await c.SendAsync($"A1 APPEND INBOX {{{Message2.Length}+}}\r\n{Message2}"));
        Assert.Equal("A2 NO [TRYCREATE] No such mailbox\r\n", await c.SendAsync("A2 APPEND Nope {1+}\r\nx"));
    }

    [Fact]
    public async Task Append_of_a_too_big_literal_is_refused_before_it_is_sent()
    {
        await using var c = await ImapTestClient.StartAsync(options: new EPostEdge.EdgeNode.Configuration.ImapOptions { MaxMessageBytes = 100 });
        await c.SendAsync("L1 LOGIN alice secret99");
        Assert.Equal("A1 NO [TOOBIG] Literal too big\r\n", await c.SendAsync("A1 APPEND INBOX {101}"));
        Assert.Equal("A2 NO [TOOBIG] Literal too big\r\n", await c.SendAsync("A2 APPEND INBOX {101+}\r\n" + new string('x', 101)));
        Assert.Equal("A3 OK NOOP completed\r\n", await c.SendAsync("A3 NOOP"));
    }

    [Fact]
    public async Task Append_larger_than_the_pipe_buffer_completes_and_pipelined_commands_follow()
    {
        await using var c = await ImapTestClient.LoggedInAsync();
        var big = "Subject: big\r\n\r\n" + new string('z', 300_000) + "\r\n";
        await c.WriteAsync($"A1 APPEND INBOX {{{big.Length}}}\r\n");
        Assert.Equal("+ Ready for literal data\r\n", await c.ReadLineAsync());
        await c.WriteAsync(big + "\r\nA2 NOOP\r\n");
        Assert.Equal("A1 OK [APPENDUID 1796169600 1] APPEND completed\r\nA2 OK NOOP completed\r\n", await c.ReadUntilTaggedAsync("A1") + await c.ReadUntilTaggedAsync("A2"));
        Assert.Equal(
            "A3 OK [APPENDUID 1796169600 2] APPEND completed\r\nA4 OK NOOP completed\r\n",
            await c.SendAsync($"A3 APPEND INBOX {{{big.Length}+}}\r\n{big}\r\nA4 NOOP") + await c.ReadUntilTaggedAsync("A4"));
        Assert.All(c.Store.Inbox.Snapshot().Messages, m => Assert.Equal(big.Length, m.Size));
    }
}
