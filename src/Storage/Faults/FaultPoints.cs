namespace EPostEdge.Storage.Faults;

/// <summary>
/// Named crash/fault points in the storage write path (STYLE.md "Fault points", after Garnet).
/// Tests and the simulator set <see cref="Handler"/> to throw, or to crash the simulated disk,
/// when a named point is reached; in production no handler is set and a hit costs one null check.
/// </summary>
public sealed class FaultPoints
{
    /// <summary>Called with the point's name each time a point is reached; null in production.</summary>
    public Action<string>? Handler { get; set; }

    /// <summary>Marks that execution reached the point called <paramref name="name"/>.</summary>
    public void Hit(string name) => Handler?.Invoke(name);
}
