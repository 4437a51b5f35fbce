using System.Collections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Systemd;

/// <summary>
/// The node under systemd: Type=notify (READY=1, STOPPING=1), the journal's log format, and the
/// notifier the watchdog sends through.
/// </summary>
/// <remarks>
/// Microsoft.Extensions.Hosting.Systemd 10 decides "under systemd" from the parent process
/// (/proc/PPID/comm is "systemd"). Our unit sets ProtectProc=invisible, which hides PID 1's
/// /proc entry from the node's user: that check would then fail, no READY=1 would be sent and
/// systemd would kill the node at TimeoutStartSec=. sd_notify(3) itself goes by $NOTIFY_SOCKET
/// alone, and systemd.exec(5) says to recognise the journal by $JOURNAL_STREAM (the device and
/// inode of the stream): so do we, on top of the library's check.
/// </remarks>
internal static class SystemdServices
{
    public const string NotifySocketVariable = "NOTIFY_SOCKET";

    public const string JournalStreamVariable = "JOURNAL_STREAM";

    public static void Add(HostApplicationBuilder builder, IDictionary environment)
    {
        builder.Services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService())
        {
            if (environment[NotifySocketVariable] is string { Length: > 0 })
            {
                builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
                builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
            }

            if (IsJournal(environment[JournalStreamVariable] as string, StandardOutputInode()))
            {
                // "<6>category[0] message": journald takes the priority from the prefix and adds the time.
                builder.Logging.AddSystemdConsole();
            }
        }

        // Not under systemd: a notifier without a socket, whose Notify does nothing.
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
    }

    /// <summary>systemd.exec(5) $JOURNAL_STREAM: "DEVICE:INODE" of the stream connected to the journal; ours if the inode is stdout's.</summary>
    public static bool IsJournal(string? journalStream, ulong? standardOutputInode)
    {
        if (string.IsNullOrEmpty(journalStream) || standardOutputInode is not { } inode)
        {
            return false;
        }

        var colon = journalStream.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && ulong.TryParse(journalStream.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var streamInode) && streamInode == inode;
    }

    // The console logger writes to stdout; journald's stream is a socket ("socket:[INODE]").
    private static ulong? StandardOutputInode()
    {
        try
        {
            var target = new FileInfo("/proc/self/fd/1").LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']'))
            {
                return ulong.TryParse(target.AsSpan(8, target.Length - 9), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inode) ? inode : null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc (or hidden): not the journal as far as we can tell.
        }

        return null;
    }
}
