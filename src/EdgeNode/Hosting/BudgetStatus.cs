namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// The node against its hw-profile's budgets (ARCHITECTURE.md, "Budgets"): what it may use, what it
/// uses, and whether it is refusing new work because of it.
/// </summary>
/// <param name="Profile">The hw-profile in force (e.g. "pi-zero-2w"); null when none was given.</param>
/// <param name="MemoryBudgetBytes">The resident-memory budget of the profile; null when unlimited.</param>
/// <param name="RssBytes">The process's resident set now (/proc/self/statm).</param>
/// <param name="PeakRssBytes">The highest resident set seen since start (VmHWM).</param>
/// <param name="MemoryShedding">Memory is near the budget: new SMTP sessions get 421 4.3.2, new IMAP connections BYE.</param>
/// <param name="DiskNearFull">The store is near its quota or the disk near full: SMTP answers 452 4.3.1 and no new replicas are accepted.</param>
public sealed record BudgetStatus(string? Profile, long? MemoryBudgetBytes, long RssBytes, long PeakRssBytes, bool MemoryShedding, bool DiskNearFull)
{
    /// <summary>What the GC may use (GCMemoryInfo.TotalAvailableMemoryBytes): the heap hard limit when one is in force; null when unknown.</summary>
    public long? GcHeapLimitBytes { get; init; }
}
