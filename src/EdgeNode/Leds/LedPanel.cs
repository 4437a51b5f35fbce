using EPostEdge.EdgeNode.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Leds;

/// <summary>
/// Plays the <see cref="LedPattern"/> of the node's condition on its green and red LED: follows
/// the health loop (<see cref="IHealthSource.Evaluated"/>), restarts the pattern from its first
/// step when the condition changes, and hands the LEDs back to the kernel on stop. Timed by the
/// TimeProvider: each step boundary is computed from the pattern's start, so blinking does not
/// drift with timer latency. An LED that fails is logged once and left alone: the LEDs are a
/// courtesy, never a reason for the node to stop.
/// </summary>
internal sealed partial class LedPanel : IHostedService, IAsyncDisposable
{
    private readonly IHealthSource _health;
    private readonly Func<(ILed Green, ILed Red)?> _open;
    private readonly TimeProvider _time;
    private readonly ILogger<LedPanel> _logger;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private LedPattern? _pattern;
    private long _startedAt;
    private bool? _greenShown;
    private bool? _redShown;
    private bool _failed;
    private bool _stopped;
    private ILed? _green;
    private ILed? _red;

    /// <param name="health">The health loop to follow.</param>
    /// <param name="open">Takes the two LEDs at start (<see cref="LedDrivers.Open"/>); null when there are none.</param>
    /// <param name="time">The clock the patterns are played by.</param>
    /// <param name="logger">Where a missing or failing LED is reported.</param>
    public LedPanel(IHealthSource health, Func<(ILed Green, ILed Red)?> open, TimeProvider time, ILogger<LedPanel> logger)
    {
        _health = health;
        _open = open;
        _time = time;
        _logger = logger;
    }

    /// <summary>The condition being shown (null before start).</summary>
    public NodeCondition? Showing
    {
        get
        {
            lock (_gate)
            {
                return _pattern?.Condition;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_open() is not { } leds)
            {
                return Task.CompletedTask;
            }

            (_green, _red) = leds;
        }
        catch (IOException ex)
        {
            LogUnavailable(ex.Message);
            return Task.CompletedTask;
        }

        LogTaken(_green.Name, _red.Name);
        _health.Evaluated += OnEvaluated;
        Show(_health.Current.Condition);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        ITimer? timer;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _health.Evaluated -= OnEvaluated;
            timer = _timer;
            _timer = null;
        }

        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        // Under the gate: a timer callback already running finishes its write first.
        lock (_gate)
        {
            _green?.Dispose();
            _red?.Dispose();
        }
    }

    private void OnEvaluated(HealthReport report)
    {
        if (report.Condition != Showing)
        {
            Show(report.Condition);
        }
    }

    private void Show(NodeCondition condition)
    {
        lock (_gate)
        {
            if (_stopped || _green is null)
            {
                return;
            }

            _pattern = LedPattern.For(condition);
            _startedAt = _time.GetTimestamp();
            Tick();
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                Tick();
            }
        }
    }

    // Under _gate: light the step in force now and wake at its end.
    private void Tick()
    {
        var pattern = _pattern!;
        var (step, remaining) = pattern.At(_time.GetElapsedTime(_startedAt));
        Light(step);
        if (pattern.Steady)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        _timer ??= _time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(remaining, Timeout.InfiniteTimeSpan);
    }

    private void Light(LedStep step)
    {
        if (_failed || _green is null || _red is null)
        {
            return;
        }

        try
        {
            // Only changes are written: a sysfs write per step, not per tick, on an SD-card board.
            if (_greenShown != step.Green)
            {
                _green.Set(step.Green);
                _greenShown = step.Green;
            }

            if (_redShown != step.Red)
            {
                _red.Set(step.Red);
                _redShown = step.Red;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _failed = true;
            LogFailed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "status LEDs: off: {Message}")]
    private partial void LogUnavailable(string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "status LEDs: green {Green}, red {Red}")]
    private partial void LogTaken(string green, string red);

    [LoggerMessage(Level = LogLevel.Warning, Message = "status LEDs: a write failed, the LEDs are left alone from now on: {Message}")]
    private partial void LogFailed(string message);
}
