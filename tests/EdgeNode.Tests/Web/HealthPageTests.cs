using System.Text.RegularExpressions;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Web;

namespace EPostEdge.EdgeNode.Tests.Web;

public sealed partial class HealthPageTests
{
    [Fact]
    public void The_page_shows_the_condition_the_reasons_and_every_figure_with_its_exact_value()
    {
        var status = WebSamples.Status(budget: new BudgetStatus("pi-zero-2w", 400L << 20, 90_000_000, 120_000_000, false, true));
        var html = HealthPage.Render(WebSamples.View(status, NodeCondition.NearBudget, ["disk near full (54 of 1024 MiB)"]));

        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"5\">", html, StringComparison.Ordinal);
        Assert.Contains("<header class=\"c-near-budget\">", html, StringComparison.Ordinal);
        Assert.Contains("<h1 data-k=\"condition\" data-v=\"near-budget\">Near budget</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<li>disk near full (54 of 1024 MiB)</li>", html, StringComparison.Ordinal);
        var figures = Figures(html);
        Assert.Equal(WebSamples.Self.ToString(), figures["overlay.nodeId"]);
        Assert.Equal("2", figures["overlay.leaves"]);
        Assert.Equal("120", figures["durability.objects"]);
        Assert.Equal("4", figures["durability.belowFullRedundancy"]);
        Assert.Equal("56789012", figures["store.usedBytes"]);
        Assert.Equal("1073741824", figures["store.quotaBytes"]);
        Assert.Equal("1234", figures["store.blocks"]);
        Assert.Equal("90000000", figures["process.residentBytes"]);
        Assert.Equal("419430400", figures["budget.memoryBudgetBytes"]);
        Assert.Equal("1500", figures["mail.messages"]);
        Assert.Equal("94020", figures["uptimeSeconds"]);
        Assert.Contains("54.2 MiB", html, StringComparison.Ordinal);
        Assert.Contains("1 d 2 h", html, StringComparison.Ordinal);
        Assert.Contains("near full: new mail and replicas refused", html, StringComparison.Ordinal);
        Assert.Contains("192.168.1.20:4031", html, StringComparison.Ordinal);
        Assert.Contains("1.25 ms", html, StringComparison.Ordinal);
        Assert.Contains("via b0b0b0b0…", html, StringComparison.Ordinal);
        Assert.Contains("[::]:1993", html, StringComparison.Ordinal);
        Assert.Contains("<td>overlay</td><td>192.168.1.10:4031</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>this page</td><td>0.0.0.0:8031</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Mail ports are off", html, StringComparison.Ordinal);
        Assert.Equal(2, LeafRows().Matches(html).Count); // b once though it is on both sides
    }

    [Fact]
    public void Text_from_the_node_is_escaped_and_the_page_loads_nothing_from_elsewhere()
    {
        var html = HealthPage.Render(WebSamples.View(WebSamples.Status(), NodeCondition.Failed, ["<script>alert(1)</script>"]));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("neighbour &lt;b&gt;1&lt;/b&gt; &quot;slow&quot;", html, StringComparison.Ordinal); // the log line
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);
    }

    [Fact]
    public void The_router_card_shows_where_the_internet_reaches_the_node_and_is_absent_when_mapping_is_off()
    {
        var nat = new EdgeNode.Nat.NatStatus(
            EdgeNode.Nat.NatState.Mapped, EdgeNode.Nat.Mapping.NatProtocol.Pcp, System.Net.IPAddress.Parse("192.168.1.1"), System.Net.IPAddress.Parse("203.0.113.9"), 4031, 4031, WebSamples.Now.AddMinutes(30), null, null);
        var html = HealthPage.Render(WebSamples.View(WebSamples.Status() with { Nat = nat }));
        Assert.Contains("<section id=\"nat\"><h2>Router (NAT)</h2>", html, StringComparison.Ordinal);
        Assert.Equal("203.0.113.9:4031", Figures(html)["nat.externalEndPoint"]);
        Assert.Contains("<dd>PCP</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd>192.168.1.1</dd>", html, StringComparison.Ordinal);

        var failed = HealthPage.Render(WebSamples.View(WebSamples.Status() with { Nat = nat with { State = EdgeNode.Nat.NatState.Failed, Protocol = null, ExternalAddress = null, UdpPort = null, TcpPort = null, LeaseExpires = null, LastError = "no answer from 192.168.1.1" } }));
        Assert.Contains("<span class=\"warn\">failed</span>", failed, StringComparison.Ordinal);
        Assert.Contains("no answer from 192.168.1.1", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("nat.externalEndPoint", failed, StringComparison.Ordinal);

        Assert.DoesNotContain("id=\"nat\"", HealthPage.Render(WebSamples.View(WebSamples.Status())), StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_without_overlay_says_so_instead_of_an_empty_table()
    {
        var html = HealthPage.Render(WebSamples.View(WebSamples.Status(withOverlay: false), NodeCondition.Healthy));

        Assert.Contains("no overlay identity yet", html, StringComparison.Ordinal);
        Assert.Contains("epost-edge overlay create", html, StringComparison.Ordinal);
        Assert.Contains("Everything works", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-k=\"overlay.nodeId\"", html, StringComparison.Ordinal);
        Assert.Contains("Mail ports are off", HealthPage.Render(WebSamples.View(WebSamples.Status() with { Listening = [] })), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NodeCondition.Healthy, "Healthy")]
    [InlineData(NodeCondition.Alone, "Alone")]
    [InlineData(NodeCondition.NearBudget, "Near budget")]
    [InlineData(NodeCondition.Failed, "Failed")]
    public void Titles(NodeCondition condition, string title) => Assert.Equal(title, HealthPage.Title(condition));

    private static Dictionary<string, string> Figures(string html) =>
        DataFigure().Matches(html).Where(m => m.Groups[1].Value is not ("overlay.leafSet" or "listening")).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    [GeneratedRegex("data-k=\"([^\"]+)\" data-v=\"([^\"]*)\"")]
    private static partial Regex DataFigure();

    [GeneratedRegex("<tr data-k=\"overlay.leafSet\"")]
    private static partial Regex LeafRows();
}
