using System.Collections;
using System.Globalization;

namespace EPostEdge.EdgeNode.Systemd;

/// <summary>
/// The service manager's watchdog, as systemd passes it to the main process: <c>WATCHDOG_USEC</c>
/// (the unit's WatchdogSec=) and <c>WATCHDOG_PID</c> (whom it is for). Read the way
/// sd_watchdog_enabled(3) reads them.
/// </summary>
/// <param name="Limit">systemd kills the service when no WATCHDOG=1 arrived for this long.</param>
public readonly record struct WatchdogSettings(TimeSpan Limit)
{
    /// <summary>The watchdog for process <paramref name="processId"/>, or null when it is off (with why, for the log).</summary>
    /// <remarks>
    /// sd_watchdog_enabled(3): disabled when WATCHDOG_USEC is unset or not a positive number, or
    /// when WATCHDOG_PID is set and is another process (a child that inherited the variables);
    /// an unset WATCHDOG_PID means "for whoever reads it".
    /// </remarks>
    public static WatchdogSettings? FromEnvironment(IDictionary environment, int processId, out string why)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var usec = environment["WATCHDOG_USEC"] as string;
        if (string.IsNullOrEmpty(usec))
        {
            why = "WATCHDOG_USEC is not set (no WatchdogSec= in the unit)";
            return null;
        }

        if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds == 0)
        {
            why = $"WATCHDOG_USEC = '{usec}' is not a positive number of microseconds";
            return null;
        }

        if (environment["WATCHDOG_PID"] is string pid && pid.Length > 0)
        {
            if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var watched))
            {
                why = $"WATCHDOG_PID = '{pid}' is not a process id";
                return null;
            }

            if (watched != processId)
            {
                why = $"WATCHDOG_PID = {watched} is another process (this is {processId})";
                return null;
            }
        }

        why = $"WATCHDOG_USEC = {microseconds}";
        return new WatchdogSettings(TimeSpan.FromTicks((long)Math.Min(microseconds, (ulong)(TimeSpan.MaxValue.Ticks / 10)) * 10));
    }
}
