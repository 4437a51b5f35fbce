using System.Text.Json;
using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Tests.Hosting;

/// <summary>status.json's "budget" object: written, read back, null when no node runs.</summary>
public sealed class BudgetStatusJsonTests
{
    [Fact]
    public void The_budget_round_trips_through_status_json()
    {
        var budget = new BudgetStatus("pi-zero-2w", 200L << 20, 61L << 20, 97L << 20, MemoryShedding: true, DiskNearFull: false) { GcHeapLimitBytes = 128L << 20 };
        var status = new NodeStatus { Running = true, DataDirectory = "/data", Budget = budget };
        var bytes = NodeStatusJson.Render(status);
        using (var json = JsonDocument.Parse(bytes))
        {
            var b = json.RootElement.GetProperty("budget");
            Assert.Equal("pi-zero-2w", b.GetProperty("profile").GetString());
            Assert.Equal(200L << 20, b.GetProperty("memoryBudgetBytes").GetInt64());
            Assert.Equal(61L << 20, b.GetProperty("rssBytes").GetInt64());
            Assert.Equal(97L << 20, b.GetProperty("peakRssBytes").GetInt64());
            Assert.Equal(128L << 20, b.GetProperty("gcHeapLimitBytes").GetInt64());
            Assert.True(b.GetProperty("memoryShedding").GetBoolean());
            Assert.False(b.GetProperty("diskNearFull").GetBoolean());
        }

        Assert.Equal(budget, NodeStatusJson.Read(bytes).Budget);
    }

    [Fact]
    public void Without_a_running_node_the_budget_is_null()
    {
        var bytes = NodeStatusJson.Render(new NodeStatus { Running = false, DataDirectory = "/data" });
        using var json = JsonDocument.Parse(bytes);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("budget").ValueKind);
        Assert.Null(NodeStatusJson.Read(bytes).Budget);
    }
}
