namespace EPostEdge.Storage.Past;

/// <summary>The result of a versioned head write.</summary>
/// <param name="Version">The version written.</param>
/// <param name="Replicas">Replicas that hold exactly this version now.</param>
/// <param name="Acknowledged">A majority of the replica set holds it.</param>
/// <param name="HighestSeen">The highest version any replica reported (above <paramref name="Version"/> when a newer head already exists).</param>
public readonly record struct HeadWriteOutcome(ulong Version, int Replicas, bool Acknowledged, ulong HighestSeen);
