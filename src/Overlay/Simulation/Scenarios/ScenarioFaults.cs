namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// A scenario's <c>faults</c> list. Compared by value, so a scenario stays equal to itself after a
/// JSON round trip (records compare a plain list by reference).
/// </summary>
public sealed class ScenarioFaults : List<ScenarioFault>, IEquatable<ScenarioFaults>
{
    /// <inheritdoc />
    public bool Equals(ScenarioFaults? other) => other is not null && this.SequenceEqual(other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ScenarioFaults);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var fault in this)
        {
            hash.Add(fault);
        }

        return hash.ToHashCode();
    }
}
