using System.Text.Json;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Tests.Health;

/// <summary>The "health" object of status.json: what the health loop judged, read back by <c>status</c>.</summary>
public sealed class HealthSummaryJsonTests
{
    [Theory]
    [InlineData(NodeCondition.Healthy, "healthy")]
    [InlineData(NodeCondition.Booting, "booting")]
    [InlineData(NodeCondition.Degraded, "degraded")]
    [InlineData(NodeCondition.Alone, "alone")]
    [InlineData(NodeCondition.NearBudget, "near-budget")]
    [InlineData(NodeCondition.Updating, "updating")]
    [InlineData(NodeCondition.Failed, "failed")]
    public void Every_condition_is_written_by_name_and_read_back(NodeCondition condition, string name)
    {
        var status = new NodeStatus { Running = true, DataDirectory = "/data", Health = new HealthSummary(condition, ["first reason", "second"]) };
        var bytes = NodeStatusJson.Render(status);
        using var document = JsonDocument.Parse(bytes);
        Assert.Equal(name, document.RootElement.GetProperty("health").GetProperty("condition").GetString());
        var read = NodeStatusJson.Read(bytes).Health!;
        Assert.Equal(condition, read.Condition);
        Assert.Equal(["first reason", "second"], read.Reasons);
    }

    [Fact]
    public void No_judgement_yet_is_null()
    {
        var bytes = NodeStatusJson.Render(new NodeStatus { Running = false, DataDirectory = "/data" });
        using var document = JsonDocument.Parse(bytes);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("health").ValueKind);
        Assert.Null(NodeStatusJson.Read(bytes).Health);
    }
}
