using EPostEdge.EdgeNode.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Systemd;

/// <summary>
/// Tells systemd how the node is: <c>WATCHDOG=1</c> after each health evaluation that finds the
/// node alive (so a hung or failed node stops pinging and systemd restarts it after WatchdogSec=),
/// and <c>STATUS=</c> with the condition when it changes (shown by <c>systemctl status</c>).
/// READY=1 and STOPPING=1 are Microsoft.Extensions.Hosting.Systemd's SystemdLifetime's.
/// sd_notify(3), sd_watchdog_enabled(3), systemd.service(5) "WatchdogSec=".
/// </summary>
internal sealed partial class SystemdWatchdog : IHostedService
{
    private static readonly ServiceState Ping = new("WATCHDOG=1");

    private readonly IHealthSource _health;
    private readonly ISystemdNotifier _notifier;
    private readonly WatchdogSettings? _watchdog;
    private readonly string _watchdogWhy;
    private readonly TimeSpan _period;
    private readonly ILogger<SystemdWatchdog> _logger;
    private readonly Lock _gate = new();
    private NodeCondition? _told;
    private bool _sendFailed;

    /// <param name="health">The health loop; every evaluation is a chance to ping.</param>
    /// <param name="notifier">The sd_notify socket (a no-op when NOTIFY_SOCKET is unset).</param>
    /// <param name="watchdog">The unit's watchdog, or null when off.</param>
    /// <param name="watchdogWhy">Why it is on or off (for the start-up log line).</param>
    /// <param name="period">The health loop's period: the ping interval.</param>
    /// <param name="logger">Where the start-up line and a failed send go.</param>
    public SystemdWatchdog(IHealthSource health, ISystemdNotifier notifier, WatchdogSettings? watchdog, string watchdogWhy, TimeSpan period, ILogger<SystemdWatchdog> logger)
    {
        _health = health;
        _notifier = notifier;
        _watchdog = watchdog;
        _watchdogWhy = watchdogWhy;
        _period = period;
        _logger = logger;
    }

    /// <summary>
    /// Whether a report keeps the watchdog fed: the node serves (healthy, degraded, alone, near
    /// budget, updating) or is still booting. Booting counts because it is bounded: HealthRules
    /// turns a node that has not joined within Health:BootGraceSeconds (120 s) into "alone", and
    /// a store that never opens never reaches READY=1 (TimeoutStartSec= handles that); without it
    /// a lone founder node, booting for 120 s, would be killed every WatchdogSec=30s. Failed never
    /// does; neither does a health loop that stopped evaluating.
    /// </summary>
    public static bool KeepsAlive(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Condition != NodeCondition.Failed && (report.Serving || report.Condition == NodeCondition.Booting);
    }

    /// <summary>The STATUS= line for a report: condition and reasons, on one line.</summary>
    public static string StatusLine(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = report.Reasons.Count == 0 ? report.Condition.ToString() : $"{report.Condition}: {string.Join("; ", report.Reasons)}";
        return "STATUS=" + text.ReplaceLineEndings(" ");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_notifier.IsEnabled)
        {
            if (_watchdog is { } watchdog)
            {
                LogWatchdog(_period.TotalSeconds, watchdog.Limit.TotalSeconds, _watchdogWhy);
                if (_period * 2 > watchdog.Limit)
                {
                    // sd_watchdog_enabled(3): ping at half the limit, so one late evaluation is not fatal.
                    LogPeriodTooLong(_period.TotalSeconds, watchdog.Limit.TotalSeconds);
                }
            }
            else
            {
                LogNoWatchdog(_watchdogWhy);
            }
        }

        _health.Evaluated += OnEvaluated;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _health.Evaluated -= OnEvaluated;
        return Task.CompletedTask;
    }

    private void OnEvaluated(HealthReport report)
    {
        if (!_notifier.IsEnabled)
        {
            return;
        }

        lock (_gate)
        {
            if (_told != report.Condition)
            {
                _told = report.Condition;
                Send(new ServiceState(StatusLine(report)));
            }

            if (_watchdog is not null && KeepsAlive(report))
            {
                Send(Ping);
            }
        }
    }

    private void Send(ServiceState state)
    {
        try
        {
            _notifier.Notify(state);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or ObjectDisposedException)
        {
            // systemd restarting, or the socket gone: say it once; the next evaluation retries.
            if (!_sendFailed)
            {
                _sendFailed = true;
                LogSendFailed(state.ToString(), ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog: WATCHDOG=1 after each health evaluation (every {Period} s) while the node is alive; systemd's limit is {Limit} s ({Why})")]
    private partial void LogWatchdog(double period, double limit, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd watchdog: Health:PeriodSeconds = {Period} is more than half of WatchdogSec= ({Limit} s): one slow evaluation will get the node killed")]
    private partial void LogPeriodTooLong(double period, double limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog: off ({Why})")]
    private partial void LogNoWatchdog(string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd: cannot send {State}: {Message}")]
    private partial void LogSendFailed(string state, string message);
}
