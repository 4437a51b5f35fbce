using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EPostEdge.Overlay.Pastry;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Issue 7 acceptance for the web health page: two real <c>epost-edge</c> processes in one
/// overlay; node a's page, loaded in real headless Chromium at phone size, shows a's id, its
/// condition and the same figures as a's status.json, with b in its leaf set. Then b is killed
/// and a's <c>/health</c> and page drop it within the overlay's repair period. Screenshots go to
/// artifacts/test-results/.
/// </summary>
[Collection(MailEndToEndCollection.Name)]
public sealed class HealthPageBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    /// <summary>For the ring to form and the page to agree with status.json.</summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The nodes run 1 s keep-alives (as the other overlay end-to-end tests).</summary>
    private static readonly TimeSpan RepairPeriod = new PastryOptions { KeepAliveInterval = TimeSpan.FromSeconds(1) }.RepairPeriod;

    /// <summary>The figures the page shows with their status.json paths (data-k of the page = path in status.json).</summary>
    private static readonly string[] ComparedFigures =
    [
        "store.blocks", "store.usedBytes", "mail.users", "mail.messages", "mail.outboundQueue",
        "durability.objects", "durability.belowFullRedundancy", "durability.heldItems", "durability.heldReplicas", "durability.contributedBytes",
    ];

    private readonly NodeTranscript _transcript = new();

    [Fact]
    public async Task The_page_at_phone_size_shows_the_true_state_and_a_killed_neighbour_leaves_it_within_the_repair_period()
    {
        using var temp = new TempDirectory();
        var (a, b) = (Path.Combine(temp.Path, "a"), Path.Combine(temp.Path, "b"));
        var ports = FreePorts.Take(3);
        var web = ports[2];
        var environmentA = Environment(ports[0], web);
        var environmentB = Environment(ports[1], 0);
        Process? nodeA = null;
        Process? nodeB = null;
        var total = Stopwatch.StartNew();
        try
        {
            await RunAsync(environmentA, null, "init", "--data", a, "--domain", "home.lan", "--hostname", "a.home.lan");
            await RunAsync(environmentA, "correct horse\n", "user", "add", "alice", "--address", "alice@home.lan", "--password-stdin", "--data", a);
            await RunAsync(environmentA, null, "overlay", "create", "--data", a);
            nodeA = _transcript.Start(environmentA, "a", "run", "--data", a);
            var token = (await RunAsync(environmentA, null, "invite", "--data", a)).Trim();
            await RunAsync(environmentB, null, "init", "--data", b, "--domain", "home.lan", "--hostname", "b.home.lan");
            await RunAsync(environmentB, null, "join", token, $"127.0.0.1:{ports[0]}", "--data", b);
            nodeB = _transcript.Start(environmentB, "b", "run", "--data", b);
            var idB = await UntilAsync("b in a's leaf set (status.json)", SettleTimeout, [nodeA, nodeB], () =>
                Task.FromResult(ReadStatus(a) is { } s && Leaves(s) is [var only] ? only : null));
            output.WriteLine($"ring of two after {total.Elapsed.TotalSeconds:0.0} s; b = {idB}");

            var (playwright, context) = await DebianChromium.LaunchPhoneAsync(Path.Combine(temp.Path, "chromium-profile"));
            using var playwrightOwner = playwright;
            await using var contextOwner = context;
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            var url = $"http://127.0.0.1:{web}/";

            // The page and status.json are two snapshots a second or two apart: load until they agree.
            var clock = Stopwatch.StartNew();
            var shown = await UntilAsync("the page to show what status.json says", SettleTimeout, [nodeA, nodeB], async () =>
            {
                var response = await page.GotoAsync(url);
                Assert.Equal(200, response?.Status);
                var figures = await FiguresAsync(page);
                return ReadStatus(a) is { } status && Agrees(figures, status, idB) ? figures : null;
            });
            output.WriteLine($"page agrees with status.json after {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", shown.Select(f => $"{f.Key}={f.Value}"))}");
            Assert.Equal("healthy", shown["condition"]);
            Assert.Equal("Healthy", await page.TextContentAsync("h1")); // shown upper-case by the style sheet
            Assert.Contains(idB[..8], await page.InnerTextAsync("#overlay"), StringComparison.Ordinal);
            Assert.Equal("1", shown["mail.users"]);

            // It fits a phone: nothing wider than the screen, the condition at the top in big letters.
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at 390 px");
            var heading = await page.Locator("h1").BoundingBoxAsync();
            Assert.True(heading is { Y: < 120, Height: >= 36 }, $"the condition heading is at y={heading?.Y}, {heading?.Height} px high");
            Assert.Equal(390, await page.EvaluateAsync<int>("window.innerWidth"));
            var healthyShot = await ScreenshotAsync(page, "health-page-phone-healthy.png");

            // kill -9 b: a's /health must drop it within the repair period (plus one health period).
            nodeB.Kill();
            await nodeB.WaitForExitAsync();
            clock.Restart();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var bound = RepairPeriod + TimeSpan.FromSeconds(2);
            var health = await UntilAsync("a's /health without b", bound + TimeSpan.FromSeconds(30), [nodeA], async () =>
            {
                using var answer = await http.GetAsync(new Uri(url + "health"));
                using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
                return json.RootElement.GetProperty("overlay").GetProperty("leaves").GetInt32() == 0 ? new HealthAnswer((int)answer.StatusCode, json.RootElement.Clone()) : null;
            });
            var noticed = clock.Elapsed;
            output.WriteLine($"a's /health dropped b {noticed.TotalSeconds:0.0} s after the kill (repair period {RepairPeriod.TotalSeconds:0.0} s): {health.Json.GetRawText()}");
            Assert.True(noticed <= bound, $"b left a's /health after {noticed.TotalSeconds:0.0} s, more than the repair period {RepairPeriod.TotalSeconds:0.0} s + 2 s");
            Assert.Equal("alone", health.Json.GetProperty("condition").GetString());
            Assert.Equal(200, health.Code); // alone still serves its house's mail
            Assert.Empty(health.Json.GetProperty("overlay").GetProperty("leafSet").EnumerateArray());

            await page.ReloadAsync();
            Assert.Equal("alone", await page.GetAttributeAsync("h1", "data-v"));
            Assert.Equal(0, await page.Locator("[data-k='overlay.leafSet']").CountAsync());
            Assert.Contains("No neighbour in the leaf set", await page.InnerTextAsync("#overlay"), StringComparison.Ordinal);
            var aloneShot = await ScreenshotAsync(page, "health-page-phone-alone.png");
            output.WriteLine($"screenshots: {healthyShot} {aloneShot}; whole test {total.Elapsed.TotalSeconds:0.0} s");

            Assert.Equal(0, await NodeTranscript.StopAsync(nodeA, CommandTimeout));
            await _transcript.OutputEndedAsync();
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

    /// <summary>Every data-k figure of the page (the leaf set as a sorted, comma-joined list).</summary>
    private static async Task<Dictionary<string, string>> FiguresAsync(IPage page)
    {
        var pairs = await page.EvaluateAsync<string[][]>("[...document.querySelectorAll('[data-k]')].map(e => [e.dataset.k, e.dataset.v])");
        var figures = pairs.Where(p => p[0] != "overlay.leafSet").ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        figures["overlay.leafSet"] = string.Join(',', pairs.Where(p => p[0] == "overlay.leafSet").Select(p => p[1]).Order(StringComparer.Ordinal));
        return figures;
    }

    private bool Agrees(Dictionary<string, string> figures, JsonElement status, string idB)
    {
        var overlay = status.GetProperty("overlay");
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["overlay.nodeId"] = overlay.GetProperty("nodeId").GetString()!,
            ["overlay.leafSet"] = string.Join(',', Leaves(status).Order(StringComparer.Ordinal)),
            ["overlay.leaves"] = Leaves(status).Count.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var key in ComparedFigures)
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            expected[key] = status.GetProperty(key[..dot]).GetProperty(key[(dot + 1)..]).GetRawText();
        }

        var differences = expected.Where(e => !figures.TryGetValue(e.Key, out var shown) || shown != e.Value).Select(e => $"{e.Key}: page {figures.GetValueOrDefault(e.Key)}, status.json {e.Value}").ToList();
        if (figures.GetValueOrDefault("overlay.leafSet") != idB)
        {
            differences.Add($"leaf set {figures.GetValueOrDefault("overlay.leafSet")} is not b");
        }

        if (differences.Count > 0)
        {
            Append($"(page vs status.json: {string.Join("; ", differences)})");
        }

        return differences.Count == 0;
    }

    private static List<string> Leaves(JsonElement status)
    {
        var overlay = status.GetProperty("overlay");
        if (overlay.ValueKind != JsonValueKind.Object || !overlay.GetProperty("running").GetBoolean())
        {
            return [];
        }

        var leafSet = overlay.GetProperty("leafSet");
        return [.. leafSet.GetProperty("clockwise").EnumerateArray().Concat(leafSet.GetProperty("counterClockwise").EnumerateArray()).Select(n => n.GetProperty("id").GetString()!).Distinct()];
    }

    /// <summary>DATA/run/status.json, or null before the node's first write.</summary>
    private static JsonElement? ReadStatus(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(data, "run", "status.json")));
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null; // not written yet, or between the node's write and rename
        }
    }

    private sealed record HealthAnswer(int Code, JsonElement Json);

    private async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(DebianChromium.ResultsDirectory(), name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        Console.WriteLine($"screenshot: {path}");
        return path;
    }

    private async Task<T> UntilAsync<T>(string what, TimeSpan timeout, Process[] nodes, Func<Task<T?>> probe)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var node in nodes)
            {
                Assert.False(node.HasExited, $"a node exited while waiting for {what}\n{Transcript}");
            }

            if (await probe() is { } result)
            {
                return result;
            }

            Assert.True(clock.Elapsed < timeout, $"no {what} after {clock.Elapsed.TotalSeconds:0} s\n{Transcript}");
            await Task.Delay(500); // polling, not a timing assertion
        }
    }

    /// <summary>Mail ports off, the overlay on its own port with 1 s keep-alives, the page on <paramref name="webPort"/> (0 = off), a 1 s health loop.</summary>
    private static Dictionary<string, string> Environment(int overlayPort, int webPort) => new()
    {
        ["EPOSTEDGE_Smtp__Port"] = "0",
        ["EPOSTEDGE_Smtp__SubmissionPort"] = "0",
        ["EPOSTEDGE_Smtp__ImplicitTlsPort"] = "0",
        ["EPOSTEDGE_Imap__Port"] = "0",
        ["EPOSTEDGE_Imap__ImplicitTlsPort"] = "0",
        ["EPOSTEDGE_Overlay__Port"] = overlayPort.ToString(CultureInfo.InvariantCulture),
        ["EPOSTEDGE_Overlay__KeepAliveSeconds"] = "1",
        ["EPOSTEDGE_Web__Port"] = webPort.ToString(CultureInfo.InvariantCulture),
        ["EPOSTEDGE_Web__Address"] = "127.0.0.1",
        ["EPOSTEDGE_Health__PeriodSeconds"] = "1",

        // "alone", not "booting", once b is gone: the test does not wait out the 120 s default.
        ["EPOSTEDGE_Health__BootGraceSeconds"] = "5",
    };

    private async Task<string> RunAsync(Dictionary<string, string> environment, string? input, params string[] args)
    {
        var (exit, stdout, stderr) = await NodeProcess.RunAsync(environment, input, CommandTimeout, args);
        Append($"$ epost-edge {string.Join(' ', args)}  -> {exit}\n{stdout}{stderr}");
        Assert.True(exit == 0, $"epost-edge {string.Join(' ', args)} exited with {exit} ({NodeProcess.Describe()})\n{Transcript}");
        return stdout;
    }

    private string Transcript => _transcript.Text;

    private void Append(string text) => _transcript.Append(text);
}
