using System.Text;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Tests.Mail.Mailbox;
using EPostEdge.Storage.FileSystem;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Mail.Delivery;

/// <summary>
/// Measures (prints, never asserts) durable deliveries per second with 20 concurrent
/// deliverers to one INBOX on real files, and the time to replay that INBOX.
/// </summary>
public sealed class DeliveryThroughputTests(ITestOutputHelper output) : IDisposable
{
    // 10 000 for the figures in the report (EPOST_MAIL_BENCH_MESSAGES=10000); fewer by default so a CI run stays short.
    private static readonly int Messages = int.TryParse(Environment.GetEnvironmentVariable("EPOST_MAIL_BENCH_MESSAGES"), out var n) && n > 0 ? n : 1_000;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    [Trait("Category", "Benchmark")]
    public async Task Twenty_concurrent_deliverers_to_one_inbox_then_reload()
    {
        var clock = TimeProvider.System;
        var node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        await node.AddUserAsync("alice", "alice@home.example");
        var body = Encoding.ASCII.GetBytes("Subject: load\r\n\r\n" + new string('x', 2000) + "\r\n");

        var start = clock.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, Messages), new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (_, ct) =>
            await node.Mail.DeliverAsync(body, "", ["alice@home.example"], ct));
        var elapsed = clock.GetElapsedTime(start);
        var entries = ((MailFolder)(await node.Mail.GetMailboxAsync("alice")).GetFolder("INBOX")!).EntriesWritten;
        output.WriteLine($"{Messages} deliveries, 20 concurrent, one INBOX: {elapsed.TotalSeconds:F2} s = {Messages / elapsed.TotalSeconds:F0} deliveries/s; {entries} log entries (group commit of {(double)Messages / entries:F1} on average)");

        await node.DisposeAsync();
        var reopenStart = clock.GetTimestamp();
        node = await MailNode.OpenAsync(new PhysicalFileSystem(), _temp.Path);
        var storeOpened = clock.GetElapsedTime(reopenStart);
        var loadStart = clock.GetTimestamp();
        var inbox = (await node.Mail.GetMailboxAsync("alice")).GetFolder("INBOX")!;
        var load = clock.GetElapsedTime(loadStart);
        output.WriteLine($"store open {storeOpened.TotalMilliseconds:F0} ms; mailbox load (replay of {Messages} messages): {load.TotalMilliseconds:F0} ms; managed heap {GC.GetTotalMemory(forceFullCollection: true) / 1024 / 1024} MiB");

        Assert.Equal(Messages, inbox.Snapshot().Messages.Count);
        Assert.Equal((uint)Messages, inbox.Snapshot().Messages[^1].Uid);
        await node.DisposeAsync();
    }
}
