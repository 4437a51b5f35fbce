using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EPostEdge.Overlay.Certificates;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Issue 4 acceptance for the node program: two real <c>epost-edge</c> processes form an overlay
/// through the CLI alone (<c>overlay create</c>, <c>run</c>, <c>invite</c>, <c>join</c>) and each
/// shows the other in its leaf set in <c>overlay status --json</c>; a spent invite is refused.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class OverlayEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The brief's bound for the two leaf sets to hold each other.</summary>
    private static readonly TimeSpan LeafSetTimeout = TimeSpan.FromSeconds(30);

    private readonly NodeTranscript _transcript = new();

    [Fact]
    public async Task Create_run_invite_join_run_and_each_node_has_the_other_in_its_leaf_set()
    {
        using var temp = new TempDirectory();
        var (a, b, c) = (Path.Combine(temp.Path, "a"), Path.Combine(temp.Path, "b"), Path.Combine(temp.Path, "c"));
        var ports = FreePorts.Take(2);
        var environmentA = Environment(ports[0]);
        var environmentB = Environment(ports[1]);
        Process? nodeA = null;
        Process? nodeB = null;
        try
        {
            await RunAsync(environmentA, 0, "init", "--data", a, "--domain", "home.lan", "--hostname", "a.home.lan");
            var created = await RunAsync(environmentA, 0, "overlay", "create", "--data", a);
            Assert.Contains($"127.0.0.1:{ports[0]}", created.Output, StringComparison.Ordinal);
            nodeA = _transcript.Start(environmentA, "a", "run", "--data", a);

            var token = (await RunAsync(environmentA, 0, "invite", "--data", a)).Output.Trim();
            Assert.True(InviteToken.TryParse(token, out _), token);

            await RunAsync(environmentB, 0, "init", "--data", b, "--domain", "home.lan", "--hostname", "b.home.lan");
            await RunAsync(environmentB, 0, "join", token, $"127.0.0.1:{ports[0]}", "--data", b);
            nodeB = _transcript.Start(environmentB, "b", "run", "--data", b);

            var idA = await NodeIdAsync(environmentA, a);
            var idB = await NodeIdAsync(environmentB, b);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(nodeA.HasExited, $"node a exited with {(nodeA.HasExited ? nodeA.ExitCode : 0)}\n{Transcript}");
                Assert.False(nodeB.HasExited, $"node b exited with {(nodeB.HasExited ? nodeB.ExitCode : 0)}\n{Transcript}");
                var aSeesB = await LeafSetHoldsAsync(environmentA, a, idB);
                var bSeesA = await LeafSetHoldsAsync(environmentB, b, idA);
                if (aSeesB && bSeesA)
                {
                    break;
                }

                Assert.True(clock.Elapsed < LeafSetTimeout, $"after {clock.Elapsed.TotalSeconds:0} s: a has b in its leaf set: {aSeesB}, b has a: {bSeesA}\n{Transcript}");
                await Task.Delay(250); // polling the status file, not a timing assertion
            }

            output.WriteLine($"leaf sets hold each other after {clock.Elapsed.TotalSeconds:0.0} s");

            // The whole-node status says so too, and the text form of overlay status names the neighbour.
            using (var status = JsonDocument.Parse((await RunAsync(environmentA, 0, "status", "--json", "--data", a)).Output))
            {
                Assert.True(status.RootElement.GetProperty("overlay").GetProperty("joined").GetBoolean());
            }

            Assert.Contains(idB[..8], (await RunAsync(environmentA, 0, "overlay", "status", "--data", a)).Output, StringComparison.Ordinal);

            // The token is spent: a third node presenting it is refused by a's running node.
            var refused = await RunAsync(Environment(0), 7, "join", token, $"127.0.0.1:{ports[0]}", "--data", c);
            Assert.Contains(Enrollment.UnknownInvite, refused.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(c, "overlay", "node.key")));

            Assert.Equal(0, await NodeTranscript.StopAsync(nodeB, CommandTimeout));
            Assert.Equal(0, await NodeTranscript.StopAsync(nodeA, CommandTimeout));
            await _transcript.OutputEndedAsync();
            Assert.Contains("overlay: left and closed", Transcript, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var node in new[] { nodeA, nodeB })
            {
                if (node is not null && !node.HasExited)
                {
                    node.Kill(entireProcessTree: true);
                }

                node?.Dispose();
            }

            output.WriteLine(Transcript);
        }
    }

    private string Transcript => _transcript.Text;

    /// <summary>Mail ports off (nodes on one machine would clash, and this test is about the overlay), the overlay on a free port.</summary>
    private static Dictionary<string, string> Environment(int overlayPort) => new()
    {
        ["EPOSTEDGE_Smtp__Port"] = "0",
        ["EPOSTEDGE_Smtp__SubmissionPort"] = "0",
        ["EPOSTEDGE_Smtp__ImplicitTlsPort"] = "0",
        ["EPOSTEDGE_Imap__Port"] = "0",
        ["EPOSTEDGE_Imap__ImplicitTlsPort"] = "0",
        ["EPOSTEDGE_Overlay__Port"] = overlayPort == 0 ? "4031" : overlayPort.ToString(CultureInfo.InvariantCulture),
        ["EPOSTEDGE_Overlay__KeepAliveSeconds"] = "1",
    };

    private async Task<(string Output, string Error)> RunAsync(Dictionary<string, string> environment, int expectedExit, params string[] args)
    {
        var (exit, stdout, stderr) = await NodeProcess.RunAsync(environment, CommandTimeout, args);
        Append($"$ epost-edge {string.Join(' ', args)}  -> {exit}\n{stdout}{stderr}");
        Assert.True(exit == expectedExit, $"epost-edge {string.Join(' ', args)} exited with {exit}, expected {expectedExit} ({NodeProcess.Describe()})\n{Transcript}");
        return (stdout, stderr);
    }

    private async Task<string> NodeIdAsync(Dictionary<string, string> environment, string data)
    {
        using var document = JsonDocument.Parse((await RunAsync(environment, 0, "overlay", "status", "--json", "--data", data)).Output);
        return document.RootElement.GetProperty("overlay").GetProperty("nodeId").GetString()!;
    }

    private async Task<bool> LeafSetHoldsAsync(Dictionary<string, string> environment, string data, string id)
    {
        using var document = JsonDocument.Parse((await RunAsync(environment, 0, "overlay", "status", "--json", "--data", data)).Output);
        var overlay = document.RootElement.GetProperty("overlay");
        if (!overlay.GetProperty("running").GetBoolean())
        {
            return false; // the node has not written its first status yet
        }

        var leafSet = overlay.GetProperty("leafSet");
        return leafSet.GetProperty("clockwise").EnumerateArray().Concat(leafSet.GetProperty("counterClockwise").EnumerateArray())
            .Any(n => n.GetProperty("id").GetString() == id);
    }

    private void Append(string text) => _transcript.Append(text);
}
