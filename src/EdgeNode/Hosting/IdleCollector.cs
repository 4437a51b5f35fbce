using Microsoft.Extensions.Hosting;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// Gives memory back to the OS once the node goes quiet after work (issue 3: idle RSS of a node
/// holding 10 000 messages). Without it the heap keeps what a burst left behind: an idle node
/// allocates almost nothing, so no collection ever runs again and the garbage of the last SMTP
/// burst or of the start-up replay (gen2, pooled buffers) stays resident, along with the free
/// regions the GC keeps committed for the next burst. Measured on the 10 000-message node:
/// managed heap 18 MiB after start + SELECT, 30 MiB after the SMTP fill, most of it dead.
/// </summary>
/// <remarks>
/// Every <see cref="Period"/> it compares the bytes allocated since the last look: below
/// <see cref="IdleBytes"/> the node is idle; if more than <see cref="WorkBytes"/> were allocated
/// since the last collection it runs one aggressive blocking collection (compacts, decommits
/// free regions, and lets ArrayPool.Shared trim on the gen2 callback). A busy node is never
/// interrupted; an idle node pays one collection per burst, not one per period.
/// </remarks>
internal sealed class IdleCollector(TimeProvider time, Func<long>? allocatedBytes = null, Action? collect = null) : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    /// <summary>Allocated over one period at most by an idle node (the status file costs a few KiB a write).</summary>
    public const long IdleBytes = 512 * 1024;

    /// <summary>Allocated since the last collection at least before another is worth its pause.</summary>
    public const long WorkBytes = 4 * 1024 * 1024;

    private readonly Func<long> _allocatedBytes = allocatedBytes ?? (static () => GC.GetTotalAllocatedBytes(precise: false));
    private readonly Action _collect = collect ?? CollectAggressively;
    private readonly Lock _ticking = new();
    private ITimer? _timer;
    private long _atLastTick;
    private long _atLastCollect;

    /// <summary>Collections run so far (for tests and status).</summary>
    public int Collections { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Start-up itself (journal replay, mailbox load) counts as work: the first quiet period collects it.
        _atLastTick = _allocatedBytes();
        _atLastCollect = 0;
        _timer = time.CreateTimer(_ => Tick(), null, Period, Period);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
            _timer = null;
        }
    }

    /// <summary>Whether a node that allocated these amounts is idle after work worth collecting.</summary>
    internal static bool ShouldCollect(long sinceLastTick, long sinceLastCollect) =>
        sinceLastTick < IdleBytes && sinceLastCollect > WorkBytes;

    /// <summary>One look (the timer's callback).</summary>
    internal void Tick()
    {
        lock (_ticking)
        {
            var now = _allocatedBytes();
            var sinceLastTick = now - _atLastTick;
            _atLastTick = now;
            if (!ShouldCollect(sinceLastTick, now - _atLastCollect))
            {
                return;
            }

            _collect();
            Collections++;
            _atLastCollect = _atLastTick = _allocatedBytes();
        }
    }

    private static void CollectAggressively() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
