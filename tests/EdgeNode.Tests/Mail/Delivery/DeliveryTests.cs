using System.Text;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Tests.Mail.Mailbox;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;

namespace EPostEdge.EdgeNode.Tests.Mail.Delivery;

public sealed class DeliveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Message(string text) => Encoding.ASCII.GetBytes($"Subject: {text}\r\n\r\n{text}\r\n");

    private static async Task<string[]> BodiesAsync(IMailFolder folder)
    {
        var bodies = new List<string>();
        foreach (var m in folder.Snapshot().Messages)
        {
            bodies.Add(Encoding.ASCII.GetString((await folder.ReadMessageAsync(m)).Span));
        }

        return [.. bodies];
    }

    [Fact]
    public async Task Recipients_are_classified_by_address_and_domain()
    {
        await using var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        await node.AddUserAsync("alice", "alice@home.example", "alice@elsewhere.example");

        Assert.Equal(RecipientKind.LocalUser, node.Mail.ClassifyRecipient("Alice@HOME.example"));
        Assert.Equal(RecipientKind.LocalUser, node.Mail.ClassifyRecipient("alice@elsewhere.example"));
        Assert.Equal(RecipientKind.UnknownLocalUser, node.Mail.ClassifyRecipient("bob@home.example"));
        Assert.Equal(RecipientKind.Remote, node.Mail.ClassifyRecipient("bob@elsewhere.example"));
        Assert.Equal(RecipientKind.UnknownLocalUser, node.Mail.ClassifyRecipient("bad..local@Home.Example"));
    }

    [Fact]
    public async Task One_delivery_reaches_every_local_user_once_and_queues_remote_recipients_durably()
    {
        var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        var alice = await node.AddUserAsync("alice", "alice@home.example", "ali@home.example");
        var bob = await node.AddUserAsync("bob", "bob@home.example");

        await node.Mail.DeliverAsync(Message("party"), "carol@remote.example", ["alice@home.example", "ali@home.example", "BOB@home.example", "dave@remote.example", "erin@far.example"]);

        Assert.Equal(["Subject: party\r\n\r\nparty\r\n"], await BodiesAsync(alice.GetFolder("INBOX")!));
        Assert.Equal(["Subject: party\r\n\r\nparty\r\n"], await BodiesAsync(bob.GetFolder("INBOX")!));
        Assert.Equal(1, node.Mail.Outbound.Count);
        var status = node.Mail.GetStatus();
        Assert.Equal((2, 2L, 1), (status.Users, status.TotalMessages, status.OutboundQueued));

        node = await node.ReopenAsync();
        await using (node)
        {
            var queued = Assert.Single(node.Mail.Outbound.Pending());
            Assert.Equal("carol@remote.example", queued.EnvelopeFrom);
            Assert.Equal(["dave@remote.example", "erin@far.example"], queued.Recipients);
            Assert.Equal("Subject: party\r\n\r\nparty\r\n", Encoding.ASCII.GetString(await node.Mail.Outbound.ReadMessageAsync(node.Local, queued)));
            Assert.Equal(["Subject: party\r\n\r\nparty\r\n"], await BodiesAsync((await node.Mail.GetMailboxAsync("bob")).GetFolder("INBOX")!));

            await node.Mail.Outbound.CompleteAsync(queued.Id);
            Assert.Equal(0, node.Mail.Outbound.Count);
        }
    }

    [Fact]
    public async Task Concurrent_deliveries_to_one_inbox_are_all_present_exactly_once()
    {
        await using var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        var alice = await node.AddUserAsync("alice", "alice@home.example");
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (i, ct) =>
            await node.Mail.DeliverAsync(Message("n" + i), "", ["alice@home.example"], ct));

        var inbox = alice.GetFolder("INBOX")!.Snapshot();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (uint)i), inbox.Messages.Select(m => m.Uid));
        var bodies = await BodiesAsync(alice.GetFolder("INBOX")!);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"Subject: n{i}\r\n\r\nn{i}\r\n").Order(), bodies.Order());
        Assert.Equal(201ul, inbox.HighestModSeq);
    }

    [Fact]
    public async Task A_full_store_refuses_a_delivery_as_OverQuota()
    {
        var options = new LocalStoreOptions { Blocks = new BlockStoreOptions { QuotaBytes = 64 * 1024, ReserveFreeBytes = 0 } };
        await using var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path, options);
        await node.AddUserAsync("alice", "alice@home.example");

        var e = await Assert.ThrowsAsync<MailboxException>(() => node.Mail.DeliverAsync(new byte[100 * 1024], "", ["alice@home.example"]));
        Assert.Equal(MailboxErrorKind.OverQuota, e.Kind);
    }

    [Fact]
    public async Task The_data_folder_holds_no_plaintext_of_a_delivered_message()
    {
        var marker = "EPOST-PLAINTEXT-MARKER-5d1e8b"u8.ToArray();
        await using (var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path))
        {
            var alice = await node.AddUserAsync("alice", "alice@home.example");
            await node.Mail.DeliverAsync(marker, "x@remote.example", ["alice@home.example", "bob@remote.example"]);
            await alice.GetFolder("INBOX")!.AppendAsync(marker, MessageFlags.None, ["MarkerKeyword"], node.Time.GetUtcNow());
            await alice.CreateFolderAsync("EPOST-PLAINTEXT-MARKER-folder");
        }

        foreach (var file in Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            for (var i = 0; i + 8 <= marker.Length; i++)
            {
                Assert.True(bytes.AsSpan().IndexOf(marker.AsSpan(i, 8)) < 0, $"{file} holds plaintext");
            }

            Assert.True(bytes.AsSpan().IndexOf("MarkerKeyword"u8) < 0, $"{file} holds a keyword in plaintext");
        }
    }
}
