namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// One simulated node's <see cref="TimeProvider"/>. Its wall clock (<see cref="GetUtcNow"/>) is a
/// fixed epoch plus virtual time, shifted by <see cref="Offset"/> and running fast or slow by
/// <see cref="Drift"/> (issue 5 item 1: per-node skew; ePOST met a clock two years off). Its
/// monotonic timestamps and timers follow the scheduler exactly, so a skewed wall clock never
/// makes elapsed time go backwards — just as a real machine's monotonic clock ignores NTP steps.
/// </summary>
public sealed class SimulatedClock : TimeProvider
{
    /// <summary>Where every simulated wall clock starts (a fixed instant, so runs replay).</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SimulationScheduler _scheduler;

    /// <summary>A clock on <paramref name="scheduler"/>'s virtual time.</summary>
    public SimulatedClock(SimulationScheduler scheduler)
    {
        _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
    }

    /// <summary>How far this node's wall clock is ahead of true time (negative: behind). Settable any time (a clock jump).</summary>
    public TimeSpan Offset { get; set; }

    /// <summary>Relative rate error of the wall clock: 1e-4 gains 8.6 s a day; 0 is exact.</summary>
    public double Drift { get; set; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        var now = _scheduler.Now;
        var drifted = Drift == 0 ? now : now + TimeSpan.FromTicks((long)(now.Ticks * Drift));
        return Epoch + drifted + Offset;
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => _scheduler.Now.Ticks;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SimulatedTimer(_scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// A timer whose firings are scheduler events. Each <see cref="Change"/> bumps a generation so
    /// that firings scheduled before it are ignored (a real timer's Change cancels the pending one).
    /// </summary>
    private sealed class SimulatedTimer(SimulationScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private long _generation;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }

            var generation = ++_generation;
            _period = period;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                scheduler.Schedule(dueTime, () => Fire(generation));
            }

            return true;
        }

        private void Fire(long generation)
        {
            if (_disposed || generation != _generation)
            {
                return;
            }

            // Periodic: the next firing is scheduled before the callback runs, as System.Threading.Timer
            // does; a Change inside the callback supersedes it.
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                scheduler.Schedule(_period, () => Fire(generation));
            }

            callback(state);
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
