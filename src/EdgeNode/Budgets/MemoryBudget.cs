using System.Globalization;

namespace EPostEdge.EdgeNode.Budgets;

/// <summary>
/// The node's memory against its hw-profile's budget (ARCHITECTURE.md, "Budgets"): when the
/// resident set nears Budget:MemoryBudget, or the managed heap left after a collection nears the
/// GC's hard limit, the node sheds load — new connections and new mail are refused with a
/// temporary failure — and collects to come back; it lifts once both are below the resume mark
/// (hysteresis, so a node at the edge does not flap). Never a crash: the GC's own limit, far
/// above where shedding starts, is the last line.
/// </summary>
/// <remarks>
/// <see cref="Refusal"/> is asked on every new connection and MAIL, and samples when its last
/// sample is older than <see cref="SampleInterval"/>, so a burst of connections sees memory
/// rise while it happens rather than at the next tick. Thread-safe.
/// </remarks>
public sealed class MemoryBudget
{
    /// <summary>A sample younger than this is reused (a burst of connections samples ~50 times a second, not once each).</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>While shedding, at most one forced collection per this period (each is a full blocking GC).</summary>
    public static readonly TimeSpan CollectInterval = TimeSpan.FromSeconds(2);

    private readonly IProcessMemory _memory;
    private readonly TimeProvider _time;
    private readonly int _shedPercent;
    private readonly int _resumePercent;
    private readonly Lock _gate = new();
    private MemorySample _last;
    private long _sampledAt;
    private volatile bool _sampled;
    private long _collectedAt;
    private bool _everCollected;
    private volatile string? _refusal;

    /// <param name="budgetBytes">The resident-set budget; null: only the heap against the GC's limit is watched.</param>
    /// <param name="shedPercent">Percent of the budget (or GC limit) at which shedding starts.</param>
    /// <param name="resumePercent">Percent below which it lifts.</param>
    /// <param name="memory">The seam that reads the process's memory.</param>
    /// <param name="time">The clock.</param>
    public MemoryBudget(long? budgetBytes, int shedPercent, int resumePercent, IProcessMemory memory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(resumePercent, shedPercent);
        BudgetBytes = budgetBytes;
        _shedPercent = shedPercent;
        _resumePercent = resumePercent;
        _memory = memory;
        _time = time;
    }

    /// <summary>Raised (outside the lock) when shedding starts (true, with the reason) or lifts (false).</summary>
    public event Action<bool, string>? Changed;

    /// <summary>The resident-set budget in bytes; null when none.</summary>
    public long? BudgetBytes { get; }

    /// <summary>Whether new work is being refused now.</summary>
    public bool IsShedding => _refusal is not null;

    /// <summary>Forced collections so far.</summary>
    public int Collections { get; private set; }

    /// <summary>The last sample taken.</summary>
    public MemorySample Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Why new work must be refused now ("memory near its budget …"), or null; samples when the last sample is stale.</summary>
    public string? Refusal()
    {
        if (!_sampled || _time.GetElapsedTime(Volatile.Read(ref _sampledAt)) >= SampleInterval)
        {
            Sample(collect: false);
        }

        return _refusal;
    }

    /// <summary>The periodic look: samples, and while shedding collects (at most every <see cref="CollectInterval"/>) and looks again.</summary>
    public void Tick() => Sample(collect: true);

    private void Sample(bool collect)
    {
        (bool Shedding, string Reason)? change = null;
        lock (_gate)
        {
            Measure();
            if (collect && _refusal is not null && (!_everCollected || _time.GetElapsedTime(_collectedAt) >= CollectInterval))
            {
                _memory.Collect();
                Collections++;
                _everCollected = true;
                _collectedAt = _time.GetTimestamp();
                Measure();
            }

            var (percent, what) = Pressure(_last);
            if (_refusal is null && percent >= _shedPercent)
            {
                _refusal = $"memory near its budget ({what}), try again later";
                change = (true, _refusal);
            }
            else if (_refusal is not null && percent < _resumePercent)
            {
                _refusal = null;
                change = (false, what);
            }
        }

        if (change is { } c)
        {
            Changed?.Invoke(c.Shedding, c.Reason);
        }
    }

    private void Measure()
    {
        _last = _memory.Sample();
        Volatile.Write(ref _sampledAt, _time.GetTimestamp());
        _sampled = true;
    }

    /// <summary>The higher of RSS against the budget and heap against the GC's limit, in percent, with words for it.</summary>
    private (double Percent, string What) Pressure(MemorySample sample)
    {
        var rss = BudgetBytes is { } budget and > 0 ? 100.0 * sample.RssBytes / budget : 0;
        var heap = sample.HeapLimitBytes > 0 ? 100.0 * sample.HeapBytes / sample.HeapLimitBytes : 0;
        return rss >= heap
            ? (rss, string.Create(CultureInfo.InvariantCulture, $"{Mebibytes(sample.RssBytes)} of {Mebibytes(BudgetBytes ?? 0)} MiB resident"))
            : (heap, string.Create(CultureInfo.InvariantCulture, $"{Mebibytes(sample.HeapBytes)} of {Mebibytes(sample.HeapLimitBytes)} MiB managed heap"));
    }

    private static long Mebibytes(long bytes) => bytes / (1024 * 1024);
}
