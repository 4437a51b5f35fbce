using System.Text;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Tests.Mail.Mailbox;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Mail.Delivery;

/// <summary>RFC 5321 §4.5.1: mail to Postmaster is accepted without a user of that name.</summary>
public sealed class PostmasterTests : IDisposable
{
    private static readonly byte[] Note = Encoding.ASCII.GetBytes("Subject: abuse\r\n\r\nreport\r\n");

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static async Task<string[]> InboxAsync(IUserMailbox mailbox)
    {
        var folder = mailbox.GetFolder("INBOX")!;
        var bodies = new List<string>();
        foreach (var m in folder.Snapshot().Messages)
        {
            bodies.Add(Encoding.ASCII.GetString((await folder.ReadMessageAsync(m)).Span));
        }

        return [.. bodies];
    }

    [Fact]
    public async Task With_no_users_postmaster_has_no_one_to_go_to()
    {
        await using var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        Assert.Equal(RecipientKind.UnknownLocalUser, node.Mail.ClassifyRecipient("Postmaster"));
        Assert.Equal(RecipientKind.UnknownLocalUser, node.Mail.ClassifyRecipient("postmaster@home.example"));
        await Assert.ThrowsAsync<MailboxException>(() => node.Mail.DeliverAsync(Note, "", ["Postmaster"]));
    }

    [Fact]
    public async Task Bare_and_local_domain_postmaster_go_to_the_first_user_by_name()
    {
        await using var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        var carol = await node.AddUserAsync("carol", "carol@home.example");
        var bob = await node.AddUserAsync("bob", "bob@home.example");

        Assert.Equal(RecipientKind.LocalUser, node.Mail.ClassifyRecipient("Postmaster"));
        Assert.Equal(RecipientKind.LocalUser, node.Mail.ClassifyRecipient("POSTMASTER"));
        Assert.Equal(RecipientKind.LocalUser, node.Mail.ClassifyRecipient("PostMaster@Home.Example"));
        Assert.Equal(RecipientKind.Remote, node.Mail.ClassifyRecipient("postmaster@elsewhere.example")); // not ours
        Assert.Equal(RecipientKind.UnknownLocalUser, node.Mail.ClassifyRecipient("postmasters@home.example"));

        // Bare and domain forms name one mailbox: one copy, in bob's INBOX (b < c), none for carol.
        await node.Mail.DeliverAsync(Note, "", ["Postmaster", "postmaster@home.example"]);
        Assert.Equal(["Subject: abuse\r\n\r\nreport\r\n"], await InboxAsync(bob));
        Assert.Empty(await InboxAsync(carol));
    }

    [Fact]
    public async Task A_user_named_postmaster_or_owning_the_address_gets_it()
    {
        await using var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        var alice = await node.AddUserAsync("alice", "alice@home.example", "postmaster@home.example");
        var admin = await node.AddUserAsync("postmaster", "admin@home.example");

        await node.Mail.DeliverAsync(Note, "", ["postmaster@home.example"]); // alice's own address
        await node.Mail.DeliverAsync(Note, "", ["Postmaster"]); // no address: the user named postmaster

        Assert.Equal(["Subject: abuse\r\n\r\nreport\r\n"], await InboxAsync(alice));
        Assert.Equal(["Subject: abuse\r\n\r\nreport\r\n"], await InboxAsync(admin));
    }
}
