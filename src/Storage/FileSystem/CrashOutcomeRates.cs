namespace EPostEdge.Storage.FileSystem;

/// <summary>
/// How a crash treats each write that was not yet fsynced (SQLite's crash model, "How To
/// Corrupt An SQLite Database File" §3): kept, dropped, or garbled (a prefix lands, the rest of
/// the range is random). Weights are relative.
/// </summary>
/// <param name="Keep">Weight of "the write reached the disk".</param>
/// <param name="Drop">Weight of "the write never happened".</param>
/// <param name="Garble">Weight of "the sector holds junk".</param>
public readonly record struct CrashOutcomeRates(double Keep, double Drop, double Garble)
{
    /// <summary>Each outcome equally likely.</summary>
    public static CrashOutcomeRates Even { get; } = new(1, 1, 1);
}
