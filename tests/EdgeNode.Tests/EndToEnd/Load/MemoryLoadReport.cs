using System.Globalization;
using System.Text;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>What a memory load run measured.</summary>
internal sealed record MemoryLoadReport(
    MemoryLoadSettings Settings,
    long IdleRssBytes,
    long PeakSampledRssBytes,
    long HighWaterRssBytes,
    long AfterRssBytes,
    double LoadSeconds,
    bool NodeDied,
    LoadCounters Counters,
    int StoredMessages,
    IReadOnlyList<string> Missing)
{
    public override string ToString()
    {
        var c = Counters;
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"profile {Settings.Profile}: {Settings.ImapClients} IMAP clients over {Settings.Users} users, {Settings.SmtpSessions} SMTP flood sessions, {Settings.MinMessageBytes}-{Settings.MaxMessageBytes} B messages, {LoadSeconds:0.0} s"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"RSS: idle {Mib(IdleRssBytes)} MiB, peak sampled every {Settings.SamplePeriod.TotalMilliseconds:0} ms {Mib(PeakSampledRssBytes)} MiB, kernel VmHWM {Mib(HighWaterRssBytes)} MiB, after the load {Mib(AfterRssBytes)} MiB"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"SMTP: {c.Accepted.Count} accepted (250, {c.Accepted.Count / Math.Max(LoadSeconds, 1):0} msg/s), {c.Refused421} refused with 421, {c.Refused452} refused with 452, {c.Failed451} failed with 451, {c.OtherFailures} other failures, {c.ConnectionErrors} connection errors"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"IMAP: {c.ImapLoggedIn} logins, {c.ImapCommands} commands in the loop, {c.ImapRefusedBye} connections refused with BYE, {c.ImapErrors} errors"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"refusals giving memory as the reason: {c.MemoryRefusals}"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"stored: {StoredMessages} messages found over IMAP; {Missing.Count} accepted messages missing{(NodeDied ? "; THE NODE DIED" : string.Empty)}"));
        foreach (var note in c.Notes)
        {
            text.AppendLine("  seen: " + note);
        }

        return text.ToString();
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);
}
