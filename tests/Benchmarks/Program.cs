using System.Diagnostics;
using System.Globalization;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;
using EPostEdge.Storage.Local;
using EPostEdge.Storage.Post;

// A harness, not BenchmarkDotNet: these figures are bound by fsync and by how concurrent
// writers share it (group commit), which BenchmarkDotNet's single-threaded invocations
// do not model. Each figure is a rate over a fixed wall time on real files.
//
//   dotnet run -c Release --project tests/Benchmarks -- [journal|blocks|logs|delivery|all] [--seconds N] [--dir PATH]
//   dotnet run -c Release --project tests/Benchmarks -- overlay [--nodes N] [--leaf L] [--rest SECONDS]
//   dotnet run -c Release --project tests/Benchmarks -- erasure [--seconds N] [--kernel best|all|Gfni512,...] [--unaligned]
//     (scripts/bench-erasure.sh runs it beside ISA-L and prints the ratios)

var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var seconds = ArgValue("--seconds", 5.0);
var root = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "epost-edge-bench");
Directory.CreateDirectory(root);
var fs = new PhysicalFileSystem();
Console.WriteLine($"epost-edge benchmarks: {Environment.ProcessorCount} cores, {seconds:0.#} s per figure, files under {root}");

if (mode is "erasure")
{
    // Compute-bound, one thread: 1 s per figure unless told, like ISA-L's ec_bench.
    var kernel = args.SkipWhile(a => a != "--kernel").Skip(1).FirstOrDefault() ?? "best";
    EPostEdge.Benchmarks.ErasureBenchmark.Run(ArgValue("--seconds", 1.0), kernel, aligned: !args.Contains("--unaligned"));
    return 0;
}

if (mode is "overlay")
{
    await EPostEdge.Benchmarks.OverlayBenchmark.RunAsync((int)ArgValue("--nodes", 64), (int)ArgValue("--leaf", 16), ArgValue("--rest", 60));
    return 0;
}

if (mode is "journal" or "all")
{
    Console.WriteLine();
    Console.WriteLine("journal appends with fsync (256-byte records, group commit)");
    Console.WriteLine("writers  appends/s   fsyncs/s   records/fsync");
    foreach (var writers in new[] { 1, 4, 32 })
    {
        var dir = Fresh("journal-" + writers.ToString(CultureInfo.InvariantCulture));
        await using var journal = JournalLog.Open(fs, dir, new JournalOptions());
        var payload = new byte[256];
        long appended = 0;
        var syncsBefore = journal.SyncCount;
        var stopwatch = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            while (stopwatch.Elapsed < deadline)
            {
                await journal.AppendAsync(1, payload);
                Interlocked.Increment(ref appended);
            }
        })));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var syncs = journal.SyncCount - syncsBefore;
        Console.WriteLine($"{writers,7}  {appended / elapsed,9:0}  {syncs / elapsed,9:0}  {(double)appended / Math.Max(1, syncs),14:0.0}");
    }
}

if (mode is "blocks" or "all")
{
    Console.WriteLine();
    Console.WriteLine("block store put (durable) / get (hash-verified), 4 concurrent clients");
    Console.WriteLine("block size   put MB/s   get MB/s   puts/s   gets/s");
    foreach (var size in new[] { 4 * 1024, 64 * 1024, 1024 * 1024 })
    {
        var dir = Fresh("blocks-" + size.ToString(CultureInfo.InvariantCulture));
        await using var store = LocalStore.Open(fs, dir);
        var random = new SeededRandomSource((ulong)size);
        var keys = new List<BlockKey>();
        var lockKeys = new Lock();
        long puts = 0;
        var stopwatch = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var contents = Enumerable.Range(0, 4).Select(_ => random.NextBytes(size)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            var content = contents[client];
            for (var n = 0; stopwatch.Elapsed < deadline; n++)
            {
                // Change a few bytes so every block is new (content addressing would dedupe it).
                BitConverter.TryWriteBytes(content, n);
                var key = await store.Blocks.PutAsync(content);
                Interlocked.Increment(ref puts);
                lock (lockKeys)
                {
                    keys.Add(key);
                }
            }
        })));
        var putSeconds = stopwatch.Elapsed.TotalSeconds;

        long gets = 0;
        stopwatch.Restart();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            for (var i = client; stopwatch.Elapsed < deadline; i = (i + 4) % keys.Count)
            {
                _ = await store.Blocks.GetAsync(keys[i]) ?? throw new InvalidOperationException("block lost");
                Interlocked.Increment(ref gets);
            }
        })));
        var getSeconds = stopwatch.Elapsed.TotalSeconds;
        var mb = size / 1e6;
        Console.WriteLine($"{size / 1024,7} KiB  {puts * mb / putSeconds,9:0.0}  {gets * mb / getSeconds,9:0.0}  {puts / putSeconds,7:0}  {gets / getSeconds,7:0}");
    }
}

if (mode is "logs" or "all")
{
    // Every append: entry block put (journal + index), then the signed head (journal). Appends
    // to one log are serialised by the log; different logs share the journal's group commit.
    Console.WriteLine();
    Console.WriteLine("signed-log appends (durable entry block + signed head, 200-byte payloads)");
    Console.WriteLine("logs  appenders/log  appends/s   fsyncs/append");
    foreach (var (logs, perLog) in new[] { (1, 1), (4, 1), (32, 1), (1, 4), (1, 32) })
    {
        var dir = Fresh($"logs-{logs}x{perLog}");
        await using var store = LocalStore.Open(fs, dir);
        var (appends, syncs, elapsed) = await RunLogs(store, logs, perLog, payloadBytes: 200, sealedBytes: 0);
        Console.WriteLine($"{logs,4}  {perLog,13}  {appends / elapsed,9:0}  {syncs / Math.Max(1.0, appends),14:0.00}");
    }
}

if (mode is "delivery" or "all")
{
    // The SMTP delivery path of issue 3: a 5 KiB message sealed into a secure block and put,
    // then a log entry naming it appended to the recipient's INBOX; 20 concurrent connections.
    Console.WriteLine();
    Console.WriteLine("mail deliveries (5 KiB secure block put + INBOX log append), 20 connections");
    Console.WriteLine("mailboxes  deliveries/s   fsyncs/delivery");
    foreach (var mailboxes in new[] { 20, 1 })
    {
        var dir = Fresh($"delivery-{mailboxes}");
        await using var store = LocalStore.Open(fs, dir);
        var (deliveries, syncs, elapsed) = await RunLogs(store, mailboxes, 20 / mailboxes, payloadBytes: 64, sealedBytes: 5 * 1024);
        Console.WriteLine($"{mailboxes,9}  {deliveries / elapsed,12:0}  {syncs / Math.Max(1.0, deliveries),16:0.00}");
    }
}

return 0;

// Runs logs × perLog appenders for the configured time; with sealedBytes > 0 each append is
// preceded by a secure block of that size put into the store (a delivery). Returns the count,
// the journal fsyncs taken and the seconds.
async Task<(long Count, long Syncs, double Seconds)> RunLogs(LocalStore store, int logs, int perLog, int payloadBytes, int sealedBytes)
{
    var owners = Enumerable.Range(0, logs).Select(i => UserIdentity.Create(new SeededRandomSource((ulong)i + 1))).ToArray();
    var signedLogs = owners.Select((owner, i) => SignedLog.Open(owner, "INBOX", store.Blocks, store.Heads, new SeededRandomSource((ulong)i + 100))).ToArray();
    long count = 0;
    var syncsBefore = store.JournalSyncCount;
    var stopwatch = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    await Task.WhenAll(Enumerable.Range(0, logs * perLog).Select(worker => Task.Run(async () =>
    {
        var log = signedLogs[worker % logs];
        var random = new SeededRandomSource((ulong)worker + 1000);
        var message = random.NextBytes(Math.Max(sealedBytes, 1));
        var payload = random.NextBytes(payloadBytes);
        for (var n = 0; stopwatch.Elapsed < deadline; n++)
        {
            if (sealedBytes > 0)
            {
                BitConverter.TryWriteBytes(message, n);
                var sealedBlock = SecureBlock.Seal(message, log.Owner, [], random);
                var key = await store.Blocks.PutAsync(sealedBlock);
                key.Span.CopyTo(payload);
            }

            await log.AppendAsync(payload);
            Interlocked.Increment(ref count);
        }
    })));
    var elapsed = stopwatch.Elapsed.TotalSeconds;
    foreach (var log in signedLogs)
    {
        log.Dispose();
    }

    foreach (var owner in owners)
    {
        owner.Dispose();
    }

    return (count, store.JournalSyncCount - syncsBefore, elapsed);
}

string Fresh(string name)
{
    var dir = Path.Combine(root, name);
    if (Directory.Exists(dir))
    {
        Directory.Delete(dir, recursive: true);
    }

    return dir;
}

double ArgValue(string name, double fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
