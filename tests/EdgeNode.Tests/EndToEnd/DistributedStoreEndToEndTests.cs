using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Issue 6 acceptance for the node program: eight real <c>epost-edge</c> processes on loopback
/// form an overlay through the CLI (<c>overlay create</c>, <c>invite</c>, <c>join</c>, <c>run</c>);
/// 1 000 objects are written through node A (<c>store put-many</c>); once every replica is held,
/// A and one more node are SIGKILLed, and right away all 1 000 are read back through a third node
/// (<c>store get-many</c>) and compared byte for byte. Then replica maintenance must bring every
/// object back to k replicas among the survivors, and a fourth node reads them all again.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class DistributedStoreEndToEndTests(ITestOutputHelper output)
{
    private const int Nodes = 8;
    private const int Objects = 1000;
    private const int Replicas = 3; // PastOptions.Replicas

    /// <summary>
    /// Bound for one CLI command. put-many writes 1 000 objects in 2..3 s here (AOT binary; 5 s under
    /// dotnet); the bound is for a loaded 2-core CI machine running eight nodes, the test host and the command.
    /// </summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Bound for the ring to form, the replicas to settle, the dead to be noticed, and k replicas to
    /// be restored (each). Each takes 3..15 s here; a failure names the wait and its figures.
    /// </summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(180);

    private readonly NodeTranscript _transcript = new();

    /// <summary>The first failure's summary line, printed again as the last line of the test's output.</summary>
    private string? _failure;

    [Fact]
    public async Task Objects_written_through_one_node_are_all_read_back_through_another_after_two_nodes_including_the_writer_are_killed()
    {
        using var temp = new TempDirectory();
        var ports = FreePorts.Take(Nodes);
        var data = Enumerable.Range(0, Nodes).Select(i => Path.Combine(temp.Path, $"n{i}")).ToArray();
        var environments = ports.Select(Environment).ToArray();
        var nodes = new Process?[Nodes];
        var total = Stopwatch.StartNew();
        try
        {
            // The ring: n0 founds it, the others join through it with one invite each.
            await Task.WhenAll(Enumerable.Range(0, Nodes).Select(i => RunAsync(environments[i], 0, "init", "--data", data[i], "--domain", "home.lan")));
            await RunAsync(environments[0], 0, "overlay", "create", "--data", data[0]);
            nodes[0] = _transcript.Start(environments[0], "n0", "run", "--data", data[0]);
            var tokens = new string[Nodes];
            for (var i = 1; i < Nodes; i++)
            {
                tokens[i] = (await RunAsync(environments[0], 0, "invite", "--data", data[0])).Output.Trim();
            }

            await Task.WhenAll(Enumerable.Range(1, Nodes - 1).Select(i => RunAsync(environments[i], 0, "join", tokens[i], $"127.0.0.1:{ports[0]}", "--data", data[i])));
            for (var i = 1; i < Nodes; i++)
            {
                nodes[i] = _transcript.Start(environments[i], $"n{i}", "run", "--data", data[i]);
            }

            var ids = await UntilAsync("every node has the 7 others in its leaf set", nodes, () =>
            {
                var statuses = data.Select(ReadStatus).ToArray();
                if (statuses.Any(s => s is null))
                {
                    return null;
                }

                var all = statuses.Select(s => s!.Value.Id).ToHashSet();
                return statuses.All(s => s!.Value.Joined && all.Except([s.Value.Id]).All(s.Value.Leaves.Contains)) ? statuses.Select(s => s!.Value.Id).ToArray() : null;
            }, () => $"leaf set sizes {string.Join(" ", data.Select(d => ReadStatus(d) is { } s ? s.Joined ? s.Leaves.Count.ToString(CultureInfo.InvariantCulture) : "unjoined" : "-"))}");
            output.WriteLine($"ring of {Nodes} formed after {total.Elapsed.TotalSeconds:0.0} s");

            // 1 000 objects of 100 B .. 8 KiB, written through node A (n0).
            var objects = Path.Combine(temp.Path, "objects");
            Directory.CreateDirectory(objects);
            var random = new SeededRandomSource(6);
            var written = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (var i = 0; i < Objects; i++)
            {
                var content = random.NextBytes(100 + random.NextInt32(8 * 1024 - 100));
                var name = $"object-{i:D4}";
                await File.WriteAllBytesAsync(Path.Combine(objects, name), content);
                written[name] = content;
            }

            var clock = Stopwatch.StartNew();
            var put = await RunAsync(environments[0], 0, "store", "put-many", "--data", data[0], objects);
            var writeTime = clock.Elapsed;
            var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var replicaCounts = new int[Replicas + 1];
            foreach (var line in put.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var words = line.Split(' ');
                var content = written[words[2]];
                Assert.Equal(BlockKey.Of(content).ToString(), words[0]);
                keys[words[0]] = content;
                replicaCounts[int.Parse(words[1], CultureInfo.InvariantCulture)]++;
            }

            Assert.Equal(Objects, keys.Count);
            output.WriteLine($"write: {Objects} objects, {keys.Values.Sum(c => (long)c.Length)} bytes through n0 in {writeTime.TotalSeconds:0.0} s ({Objects / writeTime.TotalSeconds:0} objects/s); replicas confirmed at insert: {string.Join(", ", Enumerable.Range(0, Replicas + 1).Select(r => $"{r}: {replicaCounts[r]}"))}");

            // Settled: every object on its k replicas (held items summed over the ring), none below
            // full redundancy in the writer's own accounting.
            clock.Restart();
            var held = await UntilAsync($"{Objects * Replicas} replicas held", nodes, () =>
            {
                var durability = data.Select(ReadDurability).ToArray();
                var sum = durability.Sum(d => d?.HeldReplicas ?? 0);
                return durability[0] is { } writer && writer.Objects == Objects && writer.BelowFullRedundancy == 0 && sum >= Objects * Replicas ? durability : null;
            }, () => Figures(data));
            output.WriteLine($"settled {clock.Elapsed.TotalSeconds:0.0} s after the writes: replicas per node {string.Join(" ", held.Select(d => d!.Value.HeldReplicas))} (sum {held.Sum(d => d!.Value.HeldReplicas)}), all items {held.Sum(d => d!.Value.HeldItems)}");

            // kill -9 the writer and one more; the reader is a third node.
            const int killed = 5;
            const int reader = 2;
            nodes[0]!.Kill();
            nodes[killed]!.Kill();
            await nodes[0]!.WaitForExitAsync();
            await nodes[killed]!.WaitForExitAsync();
            Append($"killed n0 and n{killed} (SIGKILL)");
            var sinceKills = Stopwatch.StartNew();
            var survivors = Enumerable.Range(0, Nodes).Where(i => i != 0 && i != killed).ToArray();
            var keyFile = Path.Combine(temp.Path, "keys.txt");
            await File.WriteAllTextAsync(keyFile, put.Output);
            var readBack = Path.Combine(temp.Path, "read");
            clock.Restart();
            var get = await RunAsync(environments[reader], null, "store", "get-many", "--data", data[reader], keyFile, "--out", readBack);
            var readTime = clock.Elapsed;
            var matching = keys.Count(k => File.Exists(Path.Combine(readBack, k.Key)) && File.ReadAllBytes(Path.Combine(readBack, k.Key)).AsSpan().SequenceEqual(k.Value));
            output.WriteLine($"read: {matching} of {Objects} objects back through n{reader}, byte-identical, in {readTime.TotalSeconds:0.0} s ({Objects / readTime.TotalSeconds:0} objects/s), started right after the kills");
            if (get.ExitCode != 0 || matching != Objects)
            {
                Assert.Fail(Failure($"{matching} of {Objects} objects read back byte-identical through n{reader}; store get-many exited with {get.ExitCode}", $"{get.Output}{get.Error}"));
            }

            // Then the survivors notice, and replica maintenance (PAST §3.5) brings every object back
            // to k replicas among them; a read through another node finds them all again.
            await UntilAsync("the survivors' leaf sets have dropped the killed nodes", survivors.Select(i => nodes[i]).ToArray(), () =>
                survivors.All(i => ReadStatus(data[i]) is { } s && !s.Leaves.Contains(ids[0]) && !s.Leaves.Contains(ids[killed])) ? "" : null,
                () => $"survivors still listing a killed node: {string.Join(" ", survivors.Where(i => ReadStatus(data[i]) is not { } s || s.Leaves.Contains(ids[0]) || s.Leaves.Contains(ids[killed])).Select(i => $"n{i}"))}");
            output.WriteLine($"failures noticed by every survivor {sinceKills.Elapsed.TotalSeconds:0.0} s after the kills");

            var restored = await UntilAsync($"{Objects * Replicas} replicas held by the survivors", survivors.Select(i => nodes[i]).ToArray(), () =>
            {
                var durability = survivors.Select(i => ReadDurability(data[i])).ToArray();
                return durability.Sum(d => d?.HeldReplicas ?? 0) >= Objects * Replicas ? durability : null;
            }, () => Figures(survivors.Select(i => data[i]).ToArray(), writer: false));
            output.WriteLine($"k replicas restored {sinceKills.Elapsed.TotalSeconds:0.0} s after the kills: replicas per survivor {string.Join(" ", restored.Select(d => d!.Value.HeldReplicas))} (sum {restored.Sum(d => d!.Value.HeldReplicas)})");
            var again = await RunAsync(environments[survivors[^1]], 0, "store", "get-many", "--data", data[survivors[^1]], keyFile, "--out", Path.Combine(temp.Path, "again"));
            var matchingAgain = keys.Count(k => File.Exists(Path.Combine(temp.Path, "again", k.Key)) && File.ReadAllBytes(Path.Combine(temp.Path, "again", k.Key)).AsSpan().SequenceEqual(k.Value));
            if (matchingAgain != Objects)
            {
                Assert.Fail(Failure($"{matchingAgain} of {Objects} objects read again byte-identical through n{survivors[^1]}", again.Error));
            }
            output.WriteLine($"read again through n{survivors[^1]}: {Objects} of {Objects}; whole test {total.Elapsed.TotalSeconds:0} s");

            foreach (var i in survivors)
            {
                Assert.Equal(0, await NodeTranscript.StopAsync(nodes[i]!, CommandTimeout));
            }
        }
        catch (Exception ex)
        {
            _failure ??= ex.Message.Split('\n', 2)[0];
            throw;
        }
        finally
        {
            foreach (var node in nodes)
            {
                if (node is not null && !node.HasExited)
                {
                    node.Kill(entireProcessTree: true);
                }

                node?.Dispose();
            }

            output.WriteLine(Transcript);
            if (_failure is not null)
            {
                output.WriteLine($"FAILED: {_failure}");
            }
        }
    }

    private string Transcript => _transcript.Text;

    /// <summary>Mail ports off (eight nodes on one machine would clash), the overlay on its own port with 1 s keep-alives.</summary>
    private static Dictionary<string, string> Environment(int overlayPort) => new()
    {
        ["EPOSTEDGE_Smtp__Port"] = "0",
        ["EPOSTEDGE_Smtp__SubmissionPort"] = "0",
        ["EPOSTEDGE_Smtp__ImplicitTlsPort"] = "0",
        ["EPOSTEDGE_Imap__Port"] = "0",
        ["EPOSTEDGE_Imap__ImplicitTlsPort"] = "0",
        ["EPOSTEDGE_Overlay__Port"] = overlayPort.ToString(CultureInfo.InvariantCulture),
        ["EPOSTEDGE_Overlay__KeepAliveSeconds"] = "1",

        // Replica maintenance every 5 s instead of 60: the restore after the kills is waited for.
        ["EPOSTEDGE_Overlay__MaintenanceSeconds"] = "5",
    };

    /// <summary>This node's id, whether it joined, and the ids in its leaf set, from DATA/run/status.json; null before its first write.</summary>
    private static (string Id, bool Joined, HashSet<string> Leaves)? ReadStatus(string data)
    {
        using var document = ReadStatusDocument(data);
        if (document?.RootElement.GetProperty("overlay") is not { ValueKind: JsonValueKind.Object } overlay || !overlay.GetProperty("running").GetBoolean())
        {
            return null;
        }

        var leafSet = overlay.GetProperty("leafSet");
        var leaves = leafSet.GetProperty("clockwise").EnumerateArray().Concat(leafSet.GetProperty("counterClockwise").EnumerateArray())
            .Select(n => n.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
        return (overlay.GetProperty("nodeId").GetString()!, overlay.GetProperty("joined").GetBoolean(), leaves);
    }

    private static (int Objects, int BelowFullRedundancy, int HeldItems, int HeldReplicas)? ReadDurability(string data)
    {
        using var document = ReadStatusDocument(data);
        return document?.RootElement.GetProperty("durability") is { ValueKind: JsonValueKind.Object } d
            ? (d.GetProperty("objects").GetInt32(), d.GetProperty("belowFullRedundancy").GetInt32(), d.GetProperty("heldItems").GetInt32(), d.GetProperty("heldReplicas").GetInt32())
            : null;
    }

    private static JsonDocument? ReadStatusDocument(string data)
    {
        try
        {
            // The node writes it to a temporary file and renames it: never half written.
            return JsonDocument.Parse(File.ReadAllBytes(Path.Combine(data, "run", "status.json")));
        }
        catch (IOException)
        {
            return null; // not written yet
        }
    }

    /// <summary>
    /// Polls <paramref name="check"/> until it gives a value; fails after <see cref="SettleTimeout"/>
    /// or when a node exits, naming the wait and its current <paramref name="figures"/>.
    /// </summary>
    private async Task<T> UntilAsync<T>(string what, Process?[] watched, Func<T?> check, Func<string> figures)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (watched.FirstOrDefault(n => n is { HasExited: true }) is { } exited)
            {
                Assert.Fail(Failure($"a node exited ({exited.ExitCode}) after {clock.Elapsed.TotalSeconds:0} s of waiting until {what}; now {figures()}"));
            }

            if (check() is { } result)
            {
                return result;
            }

            if (clock.Elapsed >= SettleTimeout)
            {
                Assert.Fail(Failure($"wait '{what}' not done within {SettleTimeout.TotalSeconds:0} s; now {figures()}"));
            }

            await Task.Delay(250); // polling the status files, not a timing assertion
        }
    }

    /// <summary>What the settle waits look at: the writer's own accounting and the replicas held, per node and summed.</summary>
    private static string Figures(string[] data, bool writer = true)
    {
        var durability = data.Select(ReadDurability).ToArray();
        var own = writer && durability[0] is { } w ? $"writer n0: {w.Objects} objects, belowFullRedundancy {w.BelowFullRedundancy}; " : "";
        return $"{own}held replicas {durability.Sum(d => d?.HeldReplicas ?? 0)} of {Objects * Replicas} (per node {string.Join(" ", durability.Select(d => d is { } x ? x.HeldReplicas.ToString(CultureInfo.InvariantCulture) : "-"))}), held items {durability.Sum(d => d?.HeldItems ?? 0)}";
    }

    /// <summary>
    /// A failure message: what failed first, then <paramref name="details"/> and the transcript, and
    /// the same line again last, because CI shows only the tail of a long message.
    /// </summary>
    private string Failure(string summary, string? details = null)
    {
        _failure ??= summary;
        return $"{summary}\n{(string.IsNullOrEmpty(details) ? "" : details.TrimEnd() + "\n")}{Transcript}\nFAILED: {summary}";
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(Dictionary<string, string> environment, int? expectedExit, params string[] args)
    {
        var command = $"epost-edge {string.Join(' ', args)}";
        var clock = Stopwatch.StartNew();
        int exit;
        string stdout, stderr;
        try
        {
            (exit, stdout, stderr) = await NodeProcess.RunAsync(environment, CommandTimeout, args);
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(Failure($"{command} did not finish within {CommandTimeout.TotalSeconds:0} s ({NodeProcess.Describe()})", ex.Message.Length > 4000 ? ex.Message[..2000] + " ... " + ex.Message[^2000..] : ex.Message));
            throw;
        }

        Append($"$ {command}  -> {exit} in {clock.Elapsed.TotalSeconds:0.0} s\n{(stdout.Length > 2000 ? stdout[..2000] + "..." : stdout)}{stderr}");
        if (expectedExit is not null && exit != expectedExit)
        {
            Assert.Fail(Failure($"{command} exited with {exit}, expected {expectedExit} ({NodeProcess.Describe()})"));
        }
        return (exit, stdout, stderr);
    }

    private void Append(string text) => _transcript.Append(text);
}
