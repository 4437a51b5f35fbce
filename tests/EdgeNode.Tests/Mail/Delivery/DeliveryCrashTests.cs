using System.Collections.Concurrent;
using System.Text;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Tests.Mail.Mailbox;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Mail.Delivery;

public sealed class DeliveryCrashTests
{
    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    [InlineData(3ul)]
    public async Task Every_acknowledged_delivery_is_present_exactly_once_after_a_power_cut(ulong seed)
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(seed));
        var node = await MailNode.OpenAsync(disk, "/data");
        await node.AddUserAsync("alice", "alice@home.example");

        var acknowledged = new ConcurrentBag<string>();
        var firstDone = new SemaphoreSlim(0);
        var deliveries = Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            var text = $"Subject: n{i}\r\n\r\nn{i}\r\n";
            await node.Mail.DeliverAsync(Encoding.ASCII.GetBytes(text), "", ["alice@home.example"]);
            // A delivery that returned before the power cut was acknowledged (SMTP said 250).
            if (disk.Generation == 0)
            {
                acknowledged.Add(text);
            }

            firstDone.Release();
        })).ToArray();

        for (var i = 0; i < 15; i++)
        {
            await firstDone.WaitAsync();
        }

        disk.Crash(CrashOutcomeRates.Even);
        try
        {
            await Task.WhenAll(deliveries);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or MailboxException)
        {
            // Deliveries cut off by the crash were never acknowledged.
        }

        await using var reopened = await MailNode.OpenAsync(disk, "/data");
        var inbox = (await reopened.Mail.GetMailboxAsync("alice")).GetFolder("INBOX")!;
        var present = new List<string>();
        foreach (var m in inbox.Snapshot().Messages)
        {
            present.Add(Encoding.ASCII.GetString((await inbox.ReadMessageAsync(m)).Span));
        }

        Assert.True(acknowledged.Count >= 15);
        Assert.Equal(present.Count, present.Distinct().Count());
        Assert.Empty(acknowledged.Except(present));
    }
}
