using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Local;

/// <summary>What opening the store found and did, for the log and the health page.</summary>
/// <param name="Journal">What the journal's open scan found (segments, truncated tail, corruption).</param>
/// <param name="IndexRebuilt">Whether the index was missing, corrupt or stale and was rebuilt from the journal.</param>
/// <param name="RecordsReplayed">Journal records applied to the index at open.</param>
/// <param name="Blocks">Blocks held after open.</param>
public sealed record LocalStoreOpenReport(JournalOpenReport Journal, bool IndexRebuilt, long RecordsReplayed, int Blocks);
