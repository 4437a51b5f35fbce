using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Mail.Mailbox;

public sealed class MailStoreFolderTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private MailNode _node = null!;

    public async Task InitializeAsync() => _node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    private static byte[] Message(string text) => System.Text.Encoding.ASCII.GetBytes($"Subject: {text}\r\n\r\n{text}\r\n");

    [Fact]
    public async Task A_new_user_has_the_default_folders_subscribed_with_their_special_use()
    {
        var mailbox = await _node.AddUserAsync("alice", "alice@home.example");
        Assert.Equal(
            [
                new FolderInfo("INBOX", SpecialUse.None, true), new FolderInfo("Archive", SpecialUse.Archive, true),
                new FolderInfo("Drafts", SpecialUse.Drafts, true), new FolderInfo("Junk", SpecialUse.Junk, true),
                new FolderInfo("Sent", SpecialUse.Sent, true), new FolderInfo("Trash", SpecialUse.Trash, true),
            ],
            mailbox.ListFolders());
        Assert.Same(mailbox.GetFolder("INBOX"), mailbox.GetFolder("inbox"));
        Assert.Null(mailbox.GetFolder("sent")); // only INBOX is case-insensitive
    }

    [Fact]
    public async Task Uids_modseqs_and_uidvalidity_derive_from_the_log_and_survive_a_restart()
    {
        var mailbox = await _node.AddUserAsync("alice", "alice@home.example");
        var inbox = mailbox.GetFolder("INBOX")!;
        var empty = inbox.Snapshot();
        Assert.Equal((1u, 1ul), (empty.UidNext, empty.HighestModSeq));

        for (var i = 0; i < 3; i++)
        {
            await _node.Mail.DeliverAsync(Message("m" + i), "x@remote.example", ["alice@home.example"]);
        }

        var uid = await inbox.AppendAsync(Message("appended"), MessageFlags.Seen, ["$Forwarded"], _node.Time.GetUtcNow());
        await inbox.StoreFlagsAsync([1, 2], FlagOperation.Add, MessageFlags.Flagged, []);
        await inbox.ExpungeAsync([2]);
        var before = inbox.Snapshot();

        Assert.Equal(4u, uid);
        Assert.Equal([1u, 3u, 4u], before.Messages.Select(m => m.Uid));
        Assert.Equal(5u, before.UidNext);
        Assert.Equal(1ul + 4 + 1 + 1, before.HighestModSeq);
        Assert.Equal(6ul, before.Messages[0].ModSeq);
        Assert.Equal(MessageFlags.Flagged, before.Messages[0].Flags);
        Assert.Equal("Subject: m2\r\n\r\nm2\r\n", System.Text.Encoding.ASCII.GetString((await inbox.ReadMessageAsync(before.Messages[1])).Span));

        _node = await _node.ReopenAsync();
        var after = (await _node.Mail.GetMailboxAsync("alice")).GetFolder("INBOX")!.Snapshot();
        Assert.Equal((before.UidValidity, before.UidNext, before.HighestModSeq), (after.UidValidity, after.UidNext, after.HighestModSeq));
        Assert.Equal(before.Messages.Select(Describe), after.Messages.Select(Describe));
    }

    [Fact]
    public async Task Create_rename_delete_and_subscribe_follow_RFC_9051()
    {
        var mailbox = await _node.AddUserAsync("alice", "alice@home.example");
        await mailbox.CreateFolderAsync("Work/2026/Q4");
        Assert.NotNull(mailbox.GetFolder("Work"));
        Assert.NotNull(mailbox.GetFolder("Work/2026"));
        Assert.Equal(MailboxErrorKind.AlreadyExists, (await Assert.ThrowsAsync<MailboxException>(() => mailbox.CreateFolderAsync("Work"))).Kind);
        Assert.Equal(MailboxErrorKind.NotAllowed, (await Assert.ThrowsAsync<MailboxException>(() => mailbox.CreateFolderAsync("Bad//Name"))).Kind);

        var q4 = mailbox.GetFolder("Work/2026/Q4")!;
        await q4.AppendAsync(Message("kept"), MessageFlags.None, [], _node.Time.GetUtcNow());
        await mailbox.SetSubscribedAsync("Work/2026", true);
        await mailbox.RenameFolderAsync("Work", "Jobs");
        Assert.Null(mailbox.GetFolder("Work/2026/Q4"));
        Assert.Same(q4, mailbox.GetFolder("Jobs/2026/Q4"));
        Assert.Single(q4.Snapshot().Messages);
        Assert.Contains(new FolderInfo("Jobs/2026", SpecialUse.None, true), mailbox.ListFolders());

        Assert.Equal(MailboxErrorKind.NotAllowed, (await Assert.ThrowsAsync<MailboxException>(() => mailbox.DeleteFolderAsync("INBOX"))).Kind);
        Assert.Equal(MailboxErrorKind.NotAllowed, (await Assert.ThrowsAsync<MailboxException>(() => mailbox.DeleteFolderAsync("Jobs"))).Kind);
        Assert.Equal(MailboxErrorKind.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => mailbox.DeleteFolderAsync("Nope"))).Kind);
        Assert.Equal(MailboxErrorKind.AlreadyExists, (await Assert.ThrowsAsync<MailboxException>(() => mailbox.RenameFolderAsync("Jobs", "Sent"))).Kind);

        var validity = q4.Snapshot().UidValidity;
        await mailbox.DeleteFolderAsync("Jobs/2026/Q4");
        await Assert.ThrowsAsync<MailboxException>(() => q4.AppendAsync(Message("late"), MessageFlags.None, [], _node.Time.GetUtcNow()));
        await mailbox.CreateFolderAsync("Jobs/2026/Q4");
        Assert.True(mailbox.GetFolder("Jobs/2026/Q4")!.Snapshot().UidValidity > validity);
        Assert.Empty(mailbox.GetFolder("Jobs/2026/Q4")!.Snapshot().Messages);

        var names = mailbox.ListFolders();
        _node = await _node.ReopenAsync();
        Assert.Equal(names, (await _node.Mail.GetMailboxAsync("alice")).ListFolders());
    }

    [Fact]
    public async Task Renaming_INBOX_moves_its_messages_and_leaves_it_empty()
    {
        var mailbox = await _node.AddUserAsync("alice", "alice@home.example");
        await _node.Mail.DeliverAsync(Message("one"), "", ["alice@home.example"]);
        await _node.Mail.DeliverAsync(Message("two"), "", ["alice@home.example"]);

        await mailbox.RenameFolderAsync("INBOX", "Old");
        Assert.Empty(mailbox.GetFolder("INBOX")!.Snapshot().Messages);
        var old = mailbox.GetFolder("Old")!;
        Assert.Equal(2, old.Snapshot().Messages.Count);
        Assert.Equal("Subject: two\r\n\r\ntwo\r\n", System.Text.Encoding.ASCII.GetString((await old.ReadMessageAsync(old.Snapshot().Messages[1])).Span));
    }

    [Fact]
    public async Task Copy_and_move_share_the_body_and_keep_flags_then_expunge()
    {
        var mailbox = await _node.AddUserAsync("alice", "alice@home.example");
        var inbox = mailbox.GetFolder("INBOX")!;
        var archive = mailbox.GetFolder("Archive")!;
        for (var i = 0; i < 3; i++)
        {
            await inbox.AppendAsync(Message("m" + i), MessageFlags.Seen, ["$Label" + i], _node.Time.GetUtcNow());
        }

        var blocks = _node.Local.Blocks.Count;
        var copy = await inbox.CopyToAsync([1, 2, 99], archive, move: false);
        Assert.Equal(blocks + 1, _node.Local.Blocks.Count); // one log entry, no new body block
        Assert.Equal([1u, 2u], copy.SourceUids);
        Assert.Equal([1u, 2u], copy.DestinationUids);
        Assert.Equal(archive.Snapshot().UidValidity, copy.DestinationUidValidity);
        Assert.Equal(3, inbox.Snapshot().Messages.Count);

        var move = await inbox.CopyToAsync([3], archive, move: true);
        Assert.Equal([3u], move.DestinationUids);
        Assert.Equal([1u, 2u], inbox.Snapshot().Messages.Select(m => m.Uid));
        var moved = archive.Snapshot().Messages[2];
        Assert.Equal((MessageFlags.Seen, "$Label2"), (moved.Flags, Assert.Single(moved.Keywords)));
        Assert.Equal("Subject: m2\r\n\r\nm2\r\n", System.Text.Encoding.ASCII.GetString((await archive.ReadMessageAsync(moved)).Span));

        Assert.Equal([1u], await archive.ExpungeAsync([1, 42]));
        Assert.Equal([2u, 3u], archive.Snapshot().Messages.Select(m => m.Uid));
    }

    [Fact]
    public async Task Condstore_unchangedsince_leaves_newer_messages_alone()
    {
        var mailbox = await _node.AddUserAsync("alice", "alice@home.example");
        var inbox = mailbox.GetFolder("INBOX")!;
        await inbox.AppendAsync(Message("a"), MessageFlags.None, [], _node.Time.GetUtcNow());
        await inbox.AppendAsync(Message("b"), MessageFlags.None, [], _node.Time.GetUtcNow());
        var seen = inbox.Snapshot().HighestModSeq;
        await inbox.StoreFlagsAsync([2], FlagOperation.Add, MessageFlags.Answered, []);

        var result = await inbox.StoreFlagsAsync([1, 2], FlagOperation.Add, MessageFlags.Seen, ["Work"], unchangedSince: seen);
        Assert.Equal([2u], result.Modified);
        var changed = Assert.Single(result.Changed);
        Assert.Equal((1u, MessageFlags.Seen), (changed.Uid, changed.Flags));
        Assert.Equal(inbox.Snapshot().HighestModSeq, changed.ModSeq);
        Assert.Equal(MessageFlags.Answered, inbox.Snapshot().Messages[1].Flags);

        var again = await inbox.StoreFlagsAsync([1], FlagOperation.Add, MessageFlags.Seen, ["work"]);
        Assert.Empty(again.Changed); // nothing to change: no new mod-sequence
        var removed = await inbox.StoreFlagsAsync([1], FlagOperation.Remove, MessageFlags.Seen, ["WORK"]);
        Assert.Equal((MessageFlags.None, 0), (removed.Changed[0].Flags, removed.Changed[0].Keywords.Count));
    }

    [Fact]
    public async Task Watch_fires_after_changes_until_disposed()
    {
        var mailbox = await _node.AddUserAsync("alice", "alice@home.example");
        var inbox = mailbox.GetFolder("INBOX")!;
        var fired = new SemaphoreSlim(0);
        var handle = inbox.Watch(() => fired.Release());

        await _node.Mail.DeliverAsync(Message("hello"), "", ["alice@home.example"]);
        Assert.True(await fired.WaitAsync(TimeSpan.FromSeconds(30)));
        await inbox.StoreFlagsAsync([1], FlagOperation.Add, MessageFlags.Seen, []);
        Assert.True(await fired.WaitAsync(TimeSpan.FromSeconds(30)));

        handle.Dispose();
        await inbox.StoreFlagsAsync([1], FlagOperation.Add, MessageFlags.Flagged, []);
        await Task.Yield();
        Assert.Equal(0, fired.CurrentCount);
    }

    private static string Describe(MessageSummary m) =>
        $"{m.Uid} {m.InternalDate:O} {m.Size} {m.Flags} {string.Join('|', m.Keywords)} {m.ModSeq} {m.Body.Block}";
}
