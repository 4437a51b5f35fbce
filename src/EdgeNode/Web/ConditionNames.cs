using EPostEdge.EdgeNode.Health;

namespace EPostEdge.EdgeNode.Web;

/// <summary>The words for a <see cref="NodeCondition"/> in <c>/health</c>, <c>/metrics</c> labels and the page.</summary>
public static class ConditionNames
{
    /// <summary>Every condition, in order of severity.</summary>
    public static IReadOnlyList<NodeCondition> All { get; } =
    [
        NodeCondition.Healthy,
        NodeCondition.Booting,
        NodeCondition.Degraded,
        NodeCondition.Alone,
        NodeCondition.NearBudget,
        NodeCondition.Updating,
        NodeCondition.Failed,
    ];

    /// <summary>The lower-case word: healthy, booting, degraded, alone, near-budget, updating, failed.</summary>
    public static string Of(NodeCondition condition) => HealthSummary.NameOf(condition);
}
