namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// One simulated node's <see cref="TimeProvider"/>: the node's crystal. Its local time runs fast or
/// slow by <see cref="Drift"/> against the scheduler's true time, and both its monotonic timestamps
/// and its timers follow that local time (a fast crystal fires its timers early). Its wall clock
/// (<see cref="GetUtcNow"/>) is a fixed epoch plus local time, shifted by <see cref="Offset"/>, which
/// may jump at any moment (issue 5 item 4; ePOST met a clock two years off) without moving monotonic
/// time, just as a real machine's monotonic clock ignores NTP steps. While <see cref="IsPaused"/>
/// (a hung process) no timer callback runs; timers that came due fire once on <see cref="Resume"/>.
/// </summary>
public sealed class SimulatedClock : TimeProvider
{
    /// <summary>Where every simulated wall clock starts (a fixed instant, so runs replay).</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SimulationScheduler _scheduler;
    private readonly List<(SimulatedTimer Timer, long Generation)> _missed = [];

    // Local time is piecewise linear in true time: exact integer ticks from the last drift change,
    // so a change of Drift never makes the clock go back.
    private TimeSpan _trueAnchor;
    private long _localAnchor;
    private double _drift;

    /// <summary>A clock on <paramref name="scheduler"/>'s virtual time.</summary>
    public SimulatedClock(SimulationScheduler scheduler)
    {
        _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        _trueAnchor = scheduler.Now;
        _localAnchor = scheduler.Now.Ticks;
    }

    /// <summary>How far this node's wall clock is ahead of true time (negative: behind). Settable any time (a clock jump).</summary>
    public TimeSpan Offset { get; set; }

    /// <summary>
    /// Relative rate error of the crystal: 1e-4 gains 8.6 s a day; 0 is exact. It scales the wall
    /// clock, monotonic timestamps and timer due times alike. Must be above −1.
    /// </summary>
    public double Drift
    {
        get => _drift;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, -1);
            _localAnchor = LocalTicks(_scheduler.Now);
            _trueAnchor = _scheduler.Now;
            _drift = value;
        }
    }

    /// <summary>True while the node's process is stopped: timers that come due wait for <see cref="Resume"/>.</summary>
    public bool IsPaused { get; private set; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Epoch + TimeSpan.FromTicks(LocalTicks(_scheduler.Now)) + Offset;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => LocalTicks(_scheduler.Now);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SimulatedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Stops running timer callbacks (a SIGSTOPped process): those that come due are kept, in order.</summary>
    public void Pause() => IsPaused = true;

    /// <summary>
    /// Runs again: each timer that came due while paused fires once now (a periodic one then keeps
    /// its period from now, as a real timer queue does after a stall), in the order they came due.
    /// </summary>
    public void Resume()
    {
        if (!IsPaused)
        {
            return;
        }

        IsPaused = false;
        var missed = _missed.ToList();
        _missed.Clear();
        foreach (var (timer, generation) in missed)
        {
            timer.Fire(generation);
        }
    }

    /// <summary>Local ticks at true time <paramref name="now"/>: the anchor plus elapsed ticks scaled by (1 + Drift), floored.</summary>
    private long LocalTicks(TimeSpan now)
    {
        var elapsed = (now - _trueAnchor).Ticks;
        return _drift == 0 ? _localAnchor + elapsed : _localAnchor + elapsed + (long)Math.Floor(elapsed * _drift);
    }

    /// <summary>The true delay until local time has advanced by <paramref name="localDelay"/>: the first true tick at which it has.</summary>
    private TimeSpan TrueDelay(TimeSpan localDelay)
    {
        if (_drift == 0 || localDelay <= TimeSpan.Zero)
        {
            return localDelay;
        }

        var now = _scheduler.Now;
        var target = LocalTicks(now) + localDelay.Ticks;
        var ticks = (long)Math.Ceiling(localDelay.Ticks / (1 + _drift));
        // The division is only an estimate of the floored piecewise function: step to the exact tick.
        while (ticks > 0 && LocalTicks(now + TimeSpan.FromTicks(ticks - 1)) >= target)
        {
            ticks--;
        }

        while (LocalTicks(now + TimeSpan.FromTicks(ticks)) < target)
        {
            ticks++;
        }

        return TimeSpan.FromTicks(ticks);
    }

    /// <summary>
    /// A timer whose firings are scheduler events. Each <see cref="Change"/> bumps a generation so
    /// that firings scheduled before it are ignored (a real timer's Change cancels the pending one).
    /// Due times are in the node's local time (a drifting crystal), converted to true delays when scheduled.
    /// </summary>
    private sealed class SimulatedTimer(SimulatedClock clock, TimerCallback callback, object? state) : ITimer
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
                clock._scheduler.Schedule(clock.TrueDelay(dueTime), () => Fire(generation));
            }

            return true;
        }

        public void Fire(long generation)
        {
            if (_disposed || generation != _generation)
            {
                return;
            }

            if (clock.IsPaused)
            {
                // Hung: the callback waits for Resume, and a periodic timer does not re-arm meanwhile.
                clock._missed.Add((this, generation));
                return;
            }

            // Periodic: the next firing is scheduled before the callback runs, as System.Threading.Timer
            // does; a Change inside the callback supersedes it.
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                clock._scheduler.Schedule(clock.TrueDelay(_period), () => Fire(generation));
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
