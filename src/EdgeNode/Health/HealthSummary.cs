namespace EPostEdge.EdgeNode.Health;

/// <summary>The node's condition and why, as status.json and <c>epost-edge status</c> carry it (the last evaluation of the health loop).</summary>
/// <param name="Condition">The most severe condition that held.</param>
/// <param name="Reasons">One sentence per condition that held, most severe first.</param>
public sealed record HealthSummary(NodeCondition Condition, IReadOnlyList<string> Reasons)
{
    /// <summary>The condition as the page, the JSON and the LEDs' table name it ("near-budget").</summary>
    public string Name => NameOf(Condition);

    /// <summary>The lower-case, hyphenated name of <paramref name="condition"/>.</summary>
    public static string NameOf(NodeCondition condition) => condition switch
    {
        NodeCondition.Healthy => "healthy",
        NodeCondition.Booting => "booting",
        NodeCondition.Degraded => "degraded",
        NodeCondition.Alone => "alone",
        NodeCondition.NearBudget => "near-budget",
        NodeCondition.Updating => "updating",
        NodeCondition.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
    };

    /// <summary>The condition named by <paramref name="name"/> (as <see cref="NameOf"/> writes it).</summary>
    public static bool TryParse(string? name, out NodeCondition condition)
    {
        foreach (var c in Enum.GetValues<NodeCondition>())
        {
            if (NameOf(c) == name)
            {
                condition = c;
                return true;
            }
        }

        condition = default;
        return false;
    }
}
