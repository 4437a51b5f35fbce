using System.Text.Json;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Web;

namespace EPostEdge.EdgeNode.Tests.Web;

public sealed class HealthJsonTests
{
    [Fact]
    public void The_document_carries_condition_serving_reasons_and_the_key_figures_of_the_status()
    {
        var status = WebSamples.Status(budget: new BudgetStatus("pi-4", 1L << 30, 90_000_000, 95_000_000, true, false));
        using var json = JsonDocument.Parse(HealthJson.Render(WebSamples.View(status, NodeCondition.Degraded, ["4 of 120 objects below full redundancy for 6 min"])));
        var root = json.RootElement;

        Assert.Equal("degraded", root.GetProperty("condition").GetString());
        Assert.True(root.GetProperty("serving").GetBoolean());
        Assert.Equal(["4 of 120 objects below full redundancy for 6 min"], root.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("1.2.3+abcdef012345", root.GetProperty("version").GetString());
        Assert.Equal(WebSamples.Self.ToString(), root.GetProperty("nodeId").GetString());
        Assert.Equal(4242, root.GetProperty("pid").GetInt32());
        Assert.Equal((26 * 3600) + (7 * 60), root.GetProperty("uptimeSeconds").GetDouble());

        var overlay = root.GetProperty("overlay");
        Assert.True(overlay.GetProperty("joined").GetBoolean());
        Assert.Equal(2, overlay.GetProperty("leaves").GetInt32());
        Assert.Equal([WebSamples.Both.Id.ToString(), WebSamples.Relayed.Id.ToString()], overlay.GetProperty("leafSet").EnumerateArray().Select(l => l.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(1, overlay.GetProperty("recentlyDead").GetInt32());
        Assert.DoesNotContain("192.168.1.20", json.RootElement.GetRawText(), StringComparison.Ordinal); // ids, no addresses: open to the LAN

        var durability = root.GetProperty("durability");
        Assert.Equal(120, durability.GetProperty("objects").GetInt32());
        Assert.Equal(4, durability.GetProperty("belowFullRedundancy").GetInt32());
        Assert.Equal(300, durability.GetProperty("heldItems").GetInt32());
        Assert.Equal(1234, root.GetProperty("store").GetProperty("blocks").GetInt32());
        Assert.Equal(56_789_012, root.GetProperty("store").GetProperty("usedBytes").GetInt64());
        Assert.Equal(1L << 30, root.GetProperty("store").GetProperty("quotaBytes").GetInt64());
        Assert.Equal(90_000_000, root.GetProperty("memory").GetProperty("residentBytes").GetInt64());
        Assert.Equal(1L << 30, root.GetProperty("memory").GetProperty("budgetBytes").GetInt64());
        Assert.Equal(1500, root.GetProperty("mail").GetProperty("messages").GetInt64());
        Assert.Equal("pi-4", root.GetProperty("budget").GetProperty("profile").GetString());
        Assert.True(root.GetProperty("budget").GetProperty("memoryShedding").GetBoolean());
        Assert.Equal(1, root.GetProperty("log").GetProperty("warnings").GetInt64());
    }

    [Theory]
    [InlineData(NodeCondition.Booting, false)]
    [InlineData(NodeCondition.Failed, false)]
    [InlineData(NodeCondition.Alone, true)]
    [InlineData(NodeCondition.Updating, true)]
    public void Serving_is_false_while_booting_or_failed(NodeCondition condition, bool serving)
    {
        using var json = JsonDocument.Parse(HealthJson.Render(WebSamples.View(WebSamples.Status(), condition, ["why"])));
        Assert.Equal(serving, json.RootElement.GetProperty("serving").GetBoolean());
        Assert.Equal(ConditionNames.Of(condition), json.RootElement.GetProperty("condition").GetString());
    }

    [Fact]
    public void A_node_without_overlay_budget_or_mail_says_null_for_them()
    {
        using var json = JsonDocument.Parse(HealthJson.Render(WebSamples.View(WebSamples.Status(withOverlay: false) with { Mail = null })));
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("nodeId").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("overlay").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("durability").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("mail").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("budget").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("memory").GetProperty("budgetBytes").ValueKind);
    }
}
