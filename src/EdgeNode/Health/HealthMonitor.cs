using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Health;

/// <summary>
/// The node's health loop: every Health:PeriodSeconds it takes a status snapshot, judges it
/// (<see cref="HealthRules"/>) and tells the LEDs, the systemd watchdog and the web page
/// (<see cref="Evaluated"/>). Logs each change of condition once.
/// </summary>
internal sealed partial class HealthMonitor : IHealthSource, IHostedService, IAsyncDisposable
{
    private readonly Func<NodeStatus> _snapshot;
    private readonly TimeProvider _time;
    private readonly HealthOptions _options;
    private readonly ILogger<HealthMonitor> _logger;
    private readonly HealthRules _rules;
    private readonly Lock _gate = new();
    private readonly List<string> _failures = [];
    private bool _updating;
    private HealthReport _current;
    private ITimer? _timer;

    public HealthMonitor(Func<NodeStatus> snapshot, TimeProvider time, HealthOptions options, ILogger<HealthMonitor> logger)
    {
        _snapshot = snapshot;
        _time = time;
        _options = options;
        _logger = logger;
        _rules = new HealthRules(options);
        var now = time.GetUtcNow();
        _current = new HealthReport(NodeCondition.Booting, ["starting"], now, new NodeStatus { Running = true, DataDirectory = string.Empty, StartedAt = now });
    }

    public event Action<HealthReport>? Evaluated;

    public HealthReport Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Marks the node failed until <see cref="ClearFailure"/> (a service that cannot go on says why).</summary>
    public void ReportFailure(string reason)
    {
        lock (_gate)
        {
            if (!_failures.Contains(reason))
            {
                _failures.Add(reason);
            }
        }
    }

    /// <summary>Takes back a failure reported with the same reason.</summary>
    public void ClearFailure(string reason)
    {
        lock (_gate)
        {
            _failures.Remove(reason);
        }
    }

    /// <summary>Says an update is (or is no longer) being installed.</summary>
    public void SetUpdating(bool updating)
    {
        lock (_gate)
        {
            _updating = updating;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Evaluate();
        var period = TimeSpan.FromSeconds(Math.Max(1, _options.PeriodSeconds));
        _timer = _time.CreateTimer(_ => EvaluateQuietly(), null, period, period);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
            _timer = null;
        }
    }

    /// <summary>Judges the node now and tells every listener; returns the report.</summary>
    public HealthReport Evaluate()
    {
        NodeStatus status;
        string? unreadable = null;
        try
        {
            status = _snapshot();
        }
#pragma warning disable CA1031 // whatever the store threw while being read (a dead index writer after ENOSPC, a closed engine): the node is failed, and says why
        catch (Exception ex)
#pragma warning restore CA1031
        {
            status = Current.Status;
            unreadable = $"the node cannot read its own state: {ex.Message}";
        }

        HealthReport report;
        NodeCondition previous;
        lock (_gate)
        {
            previous = _current.Condition;
            List<string> failures = [.. _failures];
            if (unreadable is not null)
            {
                failures.Add(unreadable);
            }

            report = _rules.Evaluate(status, _time.GetUtcNow(), _updating, failures);
            _current = report;
        }

        if (report.Condition != previous)
        {
            LogChanged(previous, report.Condition, string.Join("; ", report.Reasons));
        }

        Evaluated?.Invoke(report);
        return report;
    }

    private void EvaluateQuietly()
    {
        try
        {
            Evaluate();
        }
#pragma warning disable CA1031 // a listener that throws must not kill the timer; the next tick retries
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEvaluationFailed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "health: {Previous} -> {Condition} ({Reasons})")]
    private partial void LogChanged(NodeCondition previous, NodeCondition condition, string reasons);

    [LoggerMessage(Level = LogLevel.Warning, Message = "health: evaluation failed: {Message}")]
    private partial void LogEvaluationFailed(string message);
}
