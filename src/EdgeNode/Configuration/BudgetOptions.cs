using EPostEdge.EdgeNode.Cli;

namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// The "Budget" section: what the node may use of its board (ARCHITECTURE.md, "Budgets"), set by
/// its hw-profile (hw-profiles/*.json) and overridable like any setting
/// (<c>EPOSTEDGE_Budget__MemoryBudget</c>, …). Empty sizes and zero counts mean "no limit" /
/// "the runtime's default".
/// </summary>
public sealed class BudgetOptions
{
    /// <summary>
    /// Resident memory the node may use ("200M"): near it (<see cref="MemoryShedPercent"/>) new SMTP
    /// sessions get 421 4.3.2, new IMAP connections BYE, and MAIL gets 452 4.3.1. Empty: no budget.
    /// </summary>
    public string MemoryBudget { get; set; } = string.Empty;

    /// <summary>
    /// The GC's heap hard limit ("128M"), given to the runtime as DOTNET_GCHeapHardLimit: <c>run</c>
    /// re-executes itself with it when it is not set yet (the GC reads it only at start). Keep it
    /// below <see cref="MemoryBudget"/>: native memory (code, TLS, LiteDB, stacks) comes on top.
    /// Empty: no limit.
    /// </summary>
    public string GcHeapHardLimit { get; set; } = string.Empty;

    /// <summary>Percent of the memory budget (RSS) or of the GC heap limit (heap after the last collection) at which the node sheds load.</summary>
    public int MemoryShedPercent { get; set; } = 85;

    /// <summary>Percent below which shedding lifts again (hysteresis: below <see cref="MemoryShedPercent"/>).</summary>
    public int MemoryResumePercent { get; set; } = 75;

    /// <summary>Thread-pool workers kept ready (ThreadPool.SetMinThreads); 0: the runtime's default (the core count).</summary>
    public int MinThreads { get; set; }

    /// <summary>Most thread-pool workers (ThreadPool.SetMaxThreads; at least the core count); 0: the runtime's default.</summary>
    public int MaxThreads { get; set; }

    /// <summary>
    /// Percent of the store's quota (Store:Quota), or of the data folder's file system, in use at
    /// which the disk counts as near full: MAIL gets 452 4.3.1 and no new replicas are taken in.
    /// It lifts 3 points lower. 100 turns the file-system check off (the store still keeps its
    /// reserve of free space).
    /// </summary>
    public int DiskNearFullPercent { get; set; } = 95;

    /// <summary>
    /// The file system counts as near full only while it also has less than this free above the
    /// store's reserve ("2G"): a big disk 95 % used still has room for years of mail. Empty or
    /// "0": <see cref="DiskNearFullPercent"/> alone.
    /// </summary>
    public string DiskNearFullFree { get; set; } = "2G";

    /// <summary>
    /// Memory all SMTP sessions together may hold in message buffers ("24M"; a buffer grows by
    /// doubling, so a 10 MiB message holds 16 MiB): a message that would go past it is dropped
    /// with 452 4.3.1 at the end of its DATA, a MAIL whose SIZE does not fit gets 452 at once.
    /// Empty: no bound.
    /// </summary>
    public string SmtpMessageMemory { get; set; } = string.Empty;

    /// <summary>Plaintext bodies kept for IMAP clients that re-read recent messages ("2M"; "0" turns the cache off).</summary>
    public string ImapBodyCache { get; set; } = "2M";

    /// <summary>The memory budget in bytes; null when none is set (or it is not a size: see <see cref="Validate"/>).</summary>
    public long? MemoryBudgetBytes => ByteSize.TryParse(MemoryBudget, out var bytes) && bytes > 0 ? bytes : null;

    /// <summary>The GC heap hard limit in bytes; null when none is set.</summary>
    public long? GcHeapHardLimitBytes => ByteSize.TryParse(GcHeapHardLimit, out var bytes) && bytes > 0 ? bytes : null;

    /// <summary>The SMTP message memory in bytes; null when unbounded.</summary>
    public long? SmtpMessageMemoryBytes => ByteSize.TryParse(SmtpMessageMemory, out var bytes) && bytes > 0 ? bytes : null;

    /// <summary>The free-space bound of near full in bytes; 0 when the percent alone decides.</summary>
    public long DiskNearFullFreeBytes => ByteSize.TryParse(DiskNearFullFree, out var bytes) && bytes > 0 ? bytes : 0;

    /// <summary>The IMAP body cache in bytes (the built-in 2 MiB when the setting is not a size).</summary>
    public long ImapBodyCacheBytes => ByteSize.TryParse(ImapBodyCache, out var bytes) ? bytes : 2L * 1024 * 1024;

    /// <summary>Adds what is wrong with the section to <paramref name="errors"/> and <paramref name="warnings"/>.</summary>
    public void Validate(List<string> errors, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        foreach (var (name, value) in new[] { ("MemoryBudget", MemoryBudget), ("GcHeapHardLimit", GcHeapHardLimit), ("SmtpMessageMemory", SmtpMessageMemory), ("ImapBodyCache", ImapBodyCache), ("DiskNearFullFree", DiskNearFullFree) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !ByteSize.TryParse(value, out _))
            {
                errors.Add($"Budget:{name} = '{value}' is not a size (examples: 200M, 1G; empty for none)");
            }
        }

        if (GcHeapHardLimitBytes is { } heap && heap < 16L * 1024 * 1024)
        {
            errors.Add($"Budget:GcHeapHardLimit = '{GcHeapHardLimit}': below 16M the node cannot even open its store");
        }

        if (GcHeapHardLimitBytes is { } limit && MemoryBudgetBytes is { } budget && limit >= budget)
        {
            warnings.Add($"Budget:GcHeapHardLimit ({GcHeapHardLimit}) is not below Budget:MemoryBudget ({MemoryBudget}): the heap alone may fill the budget");
        }

        if (MemoryShedPercent is < 10 or > 100 || MemoryResumePercent < 1 || MemoryResumePercent >= MemoryShedPercent)
        {
            errors.Add($"Budget:MemoryShedPercent = {MemoryShedPercent}, Budget:MemoryResumePercent = {MemoryResumePercent}: shedding needs 10-100 and resuming 1 or more, below it");
        }

        if (MinThreads < 0 || MaxThreads < 0 || (MaxThreads > 0 && MinThreads > MaxThreads))
        {
            errors.Add($"Budget:MinThreads = {MinThreads}, Budget:MaxThreads = {MaxThreads}: 0 (the runtime's default) or counts with MinThreads <= MaxThreads");
        }

        if (DiskNearFullPercent is < 50 or > 100)
        {
            errors.Add($"Budget:DiskNearFullPercent = {DiskNearFullPercent}: it must be from 50 to 100");
        }
    }
}
