using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Past;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary>
/// <c>epost-edge store</c> in-process, against a stand-in for the node's end of
/// DATA/run/control.sock (the real one is driven by <c>DistributedStoreEndToEndTests</c>), and
/// the durability report in <c>status</c>.
/// </summary>
public sealed class StoreCommandTests
{
    [Fact]
    public async Task Without_a_running_node_the_store_commands_say_so_with_their_own_exit_code()
    {
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "object");
        await File.WriteAllTextAsync(file, "x");
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.StoreUnavailable, await cli.RunAsync("store", "put", "--data", temp.Path, file));
        Assert.Contains("control.sock", cli.Error, StringComparison.Ordinal);

        var bad = new CliHarness();
        Assert.Equal(ExitCodes.BadConfiguration, await bad.RunAsync("store", "get", "--data", temp.Path, "abc"));
        Assert.Contains("not a key", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_get_put_many_and_get_many_speak_the_line_protocol_and_print_keys()
    {
        using var temp = new TempDirectory();
        await using var node = FakeNode.Start(temp.Path);
        var objects = Path.Combine(temp.Path, "objects");
        Directory.CreateDirectory(objects);
        var contents = Enumerable.Range(0, 50).Select(i => Encoding.ASCII.GetBytes($"object {i} " + new string('x', i * 97))).ToList();
        for (var i = 0; i < contents.Count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(objects, $"{i:D2}"), contents[i]);
        }

        // put: the key on stdout.
        var put = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await put.RunAsync("store", "put", "--data", temp.Path, Path.Combine(objects, "07")));
        Assert.Equal(BlockKey.Of(contents[7]).ToString(), put.Output.Trim());
        Assert.Contains("3 replicas confirmed", put.Error, StringComparison.Ordinal);

        // put-many: one line per file in name order; its output is get-many's key file.
        var many = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await many.RunAsync("store", "put-many", "--data", temp.Path, objects));
        var lines = many.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(contents.Select((c, i) => $"{BlockKey.Of(c)} 3 {i:D2}"), lines);
        var keyFile = Path.Combine(temp.Path, "keys.txt");
        await File.WriteAllTextAsync(keyFile, many.Output + new string('0', 64) + "\n");

        // get-many: every object into the folder, named by key; the unknown key is reported and fails the command.
        var read = Path.Combine(temp.Path, "read");
        var getMany = new CliHarness();
        Assert.Equal(ExitCodes.StoreFailed, await getMany.RunAsync("store", "get-many", "--data", temp.Path, keyFile, "--out", read));
        Assert.Contains($"{new string('0', 64)} NOTFOUND", getMany.Output, StringComparison.Ordinal);
        foreach (var content in contents)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(read, BlockKey.Of(content).ToString())));
        }

        // get: to a file, and a miss.
        var get = new CliHarness();
        var one = Path.Combine(temp.Path, "one");
        Assert.Equal(ExitCodes.Ok, await get.RunAsync("store", "get", "--data", temp.Path, BlockKey.Of(contents[3]).ToString(), "--out", one));
        Assert.Equal(contents[3], await File.ReadAllBytesAsync(one));
        var missing = new CliHarness();
        Assert.Equal(ExitCodes.StoreFailed, await missing.RunAsync("store", "get", "--data", temp.Path, new string('a', 64)));
        Assert.Contains("not found", missing.Error, StringComparison.Ordinal);

        // A refused put is an error line and exit code 11.
        node.RefusePuts = true;
        var refused = new CliHarness();
        Assert.Equal(ExitCodes.StoreFailed, await refused.RunAsync("store", "put", "--data", temp.Path, Path.Combine(objects, "01")));
        Assert.Contains("not acknowledged", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_shows_the_durability_report_of_a_running_node()
    {
        using var temp = new TempDirectory();
        await new CliHarness().RunAsync("init", "--data", temp.Path, "--domain", "home.lan");
        var written = new NodeStatus
        {
            Running = true,
            DataDirectory = temp.Path,
            Pid = 4242,
            Durability = new DurabilityReport(1000, 7, 3000, 4_000_000, 1L << 30, 5),
        };
        Directory.CreateDirectory(Path.Combine(temp.Path, "run"));
        await File.WriteAllBytesAsync(Path.Combine(temp.Path, "run", "status.json"), NodeStatusJson.Render(written));
        using var node = NodeLock.TryAcquire(temp.Path);

        var json = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await json.RunAsync("status", "--json", "--data", temp.Path));
        Assert.Equal(written.Durability, NodeStatusJson.Read(Encoding.UTF8.GetBytes(json.Output)).Durability);
        Assert.Contains("\"freeBytes\":1069741824", json.Output, StringComparison.Ordinal);

        var text = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await text.RunAsync("status", "--data", temp.Path));
        Assert.Contains("durable:  1000 objects owned, 7 below full redundancy; holding 3000 items, 4000000 of 1073741824 contributed bytes (1069741824 free); lease epoch 5", text.Output, StringComparison.Ordinal);
    }

    /// <summary>The node's end of the socket, answering from a dictionary: PUT stores and says 3 replicas, GET finds or not.</summary>
    private sealed class FakeNode : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly ConcurrentDictionary<BlockKey, byte[]> _objects = new();
        private readonly Task _serving;

        private FakeNode(Socket listener)
        {
            _listener = listener;
            _serving = ServeAsync();
        }

        public bool RefusePuts { get; set; }

        public static FakeNode Start(string dataDirectory)
        {
            var path = Path.GetFullPath(ControlChannel.PathIn(dataDirectory));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(4);
            return new FakeNode(listener);
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _serving;
        }

        private string Answer(ControlRequest request)
        {
            switch (request.Verb)
            {
                case ControlVerb.Put when RefusePuts:
                    return ControlProtocol.PutAnswer(new InsertOutcome(BlockKey.Of(request.Content), 1, false, false));
                case ControlVerb.Put:
                    var key = BlockKey.Of(request.Content);
                    _objects[key] = request.Content;
                    return ControlProtocol.PutAnswer(new InsertOutcome(key, 3, true, false));
                case ControlVerb.Get:
                    return ControlProtocol.GetAnswer(_objects.TryGetValue(request.Key, out var content) ? content : null);
                default:
                    return ControlProtocol.ErrorAnswer(request.Error!);
            }
        }

        private async Task ServeAsync()
        {
            while (true)
            {
                Socket connection;
                try
                {
                    connection = await _listener.AcceptAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                using var stream = new NetworkStream(connection, ownsSocket: true);
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\n" };
                while (await reader.ReadLineAsync() is { } line)
                {
                    var request = ControlProtocol.ParseRequest(new System.Buffers.ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line)));
                    await writer.WriteLineAsync(Answer(request));
                    await writer.FlushAsync();
                }
            }
        }
    }
}
