using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>MailKit's ImapClient against the server: the commands a real client sends, in the order it sends them.</summary>
public sealed class ImapMailKitTests
{
    [Fact]
    public async Task MailKit_logs_in_lists_opens_fetches_searches_flags_appends_moves_and_logs_out()
    {
        await using var server = await ImapTestClient.StartAsync(await ImapSessionMessageTests.ThreeMessagesAsync(), greet: false);
        using var client = new ImapClient();
        await client.ConnectAsync(new PipeDuplexStream(server.Connection), "localhost", 143, SecureSocketOptions.None);
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Move));
        await client.AuthenticateAsync("alice", "secret99");
        Assert.True(client.IsAuthenticated);

        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0]);
        Assert.Contains(folders, f => f.FullName == "Sent" && f.Attributes.HasFlag(FolderAttributes.Sent));

        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(3, inbox.Count);
        var summaries = await inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Size | MessageSummaryItems.InternalDate);
        Assert.Equal([1u, 2u, 3u], summaries.Select(s => s.UniqueId.Id));
        Assert.True(summaries[0].Flags!.Value.HasFlag(MessageFlags.Seen));

        var message = await inbox.GetMessageAsync(summaries[1].UniqueId);
        Assert.Equal("Lunch", message.Subject);

        var unseen = await inbox.SearchAsync(SearchQuery.NotSeen);
        Assert.Equal([2u, 3u], unseen.Select(u => u.Id));
        var cafe = await inbox.SearchAsync(SearchQuery.SubjectContains("Café"));
        Assert.Equal([3u], cafe.Select(u => u.Id));

        await inbox.AddFlagsAsync(summaries[2].UniqueId, MessageFlags.Flagged, silent: false);
        var flagged = await inbox.SearchAsync(SearchQuery.Flagged);
        Assert.Equal([3u], flagged.Select(u => u.Id));

        var appended = await inbox.AppendAsync(new MimeMessage(
            [new MailboxAddress("Bob", "bob@home.lan")], [new MailboxAddress("Alice", "alice@home.lan")], "Appended", new TextPart("plain") { Text = "hi" }));
        Assert.Equal(4u, appended!.Value.Id);

        var trash = await client.GetFolderAsync("Trash");
        var moved = await inbox.MoveToAsync(summaries[0].UniqueId, trash);
        Assert.Equal(1u, moved!.Value.Id);
        Assert.Equal(3, inbox.Count);

        await inbox.CloseAsync(expunge: false);
        await trash.StatusAsync(StatusItems.Count);
        Assert.Equal(1, trash.Count);
        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task MailKit_idle_hears_a_delivery()
    {
        var store = await ImapSessionMessageTests.ThreeMessagesAsync();
        await using var server = await ImapTestClient.StartAsync(store, greet: false);
        using var client = new ImapClient();
        await client.ConnectAsync(new PipeDuplexStream(server.Connection), "localhost", 143, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", "secret99");
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);

        using var done = new CancellationTokenSource();
        client.Inbox.CountChanged += (_, _) => done.Cancel();
        var idle = client.IdleAsync(done.Token);

        // One delivery is enough whenever it lands: the session watches the folder before it says
        // "+ idling" and writes what changed before then right after it (RFC 2177).
        await store.Mail.DeliverAsync("Subject: ping\r\n\r\nx\r\n"u8.ToArray(), "x@y.example", ["alice@home.lan"]);
        await idle.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(4, client.Inbox.Count);
        await client.DisconnectAsync(quit: true);
    }
}
