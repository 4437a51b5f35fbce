using System.Globalization;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>
/// The load's size. The CI test uses <see cref="Ci"/>; <c>scripts/load-memory.sh</c> runs the same
/// test longer through the EPOSTEDGE_LOAD_* variables (<see cref="FromEnvironment"/>).
/// </summary>
internal sealed record MemoryLoadSettings
{
    public string Profile { get; init; } = "pi-zero-2w";

    public int Users { get; init; } = 8;

    public int ImapClients { get; init; } = 200;

    public int ImapStaggerMilliseconds { get; init; } = 10;

    public int SmtpSessions { get; init; } = 20;

    public int MessagesPerConnection { get; init; } = 25;

    public int MinMessageBytes { get; init; } = 2 * 1024;

    public int MaxMessageBytes { get; init; } = 24 * 1024;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan SamplePeriod { get; init; } = TimeSpan.FromMilliseconds(100);

    public int Seed { get; init; } = 7;

    /// <summary>The CI run: 200 IMAP clients and a 20-session flood for 20 s (about 45 s in all).</summary>
    public static MemoryLoadSettings Ci => new();

    /// <summary>The CI run with EPOSTEDGE_LOAD_SECONDS, _IMAP, _SMTP, _USERS, _PROFILE, _SEED overriding it.</summary>
    public static MemoryLoadSettings FromEnvironment()
    {
        var settings = Ci;
        if (Number("EPOSTEDGE_LOAD_SECONDS") is { } seconds)
        {
            settings = settings with { Duration = TimeSpan.FromSeconds(seconds) };
        }

        return settings with
        {
            ImapClients = Number("EPOSTEDGE_LOAD_IMAP") ?? settings.ImapClients,
            SmtpSessions = Number("EPOSTEDGE_LOAD_SMTP") ?? settings.SmtpSessions,
            Users = Number("EPOSTEDGE_LOAD_USERS") ?? settings.Users,
            Seed = Number("EPOSTEDGE_LOAD_SEED") ?? settings.Seed,
            Profile = Environment.GetEnvironmentVariable("EPOSTEDGE_LOAD_PROFILE") is { Length: > 0 } profile ? profile : settings.Profile,
        };
    }

    private static int? Number(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
