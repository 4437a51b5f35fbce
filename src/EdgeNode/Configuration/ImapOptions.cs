namespace EPostEdge.EdgeNode.Configuration;

/// <summary>The "Imap" section of the config file (environment: <c>EPOSTEDGE_Imap__Port</c>, …).</summary>
public sealed class ImapOptions
{
    /// <summary>IMAP with STARTTLS (143-style). 0 disables.</summary>
    public int Port { get; set; } = 1143;

    /// <summary>IMAP over implicit TLS (993-style, RFC 8314). 0 disables.</summary>
    public int ImplicitTlsPort { get; set; } = 1993;

    /// <summary>
    /// Allow LOGIN/AUTHENTICATE without TLS (a trusted home LAN). Default false: LOGINDISABLED
    /// until STARTTLS (RFC 9051 §6.2.3).
    /// </summary>
    public bool AllowPlaintextAuth { get; set; }

    /// <summary>RFC 9051 §5.4: the autologout timer is at least 30 minutes.</summary>
    public int IdleTimeoutSeconds { get; set; } = 30 * 60;

    /// <summary>Before LOGIN a silent client is dropped sooner.</summary>
    public int PreAuthTimeoutSeconds { get; set; } = 60;

    /// <summary>Largest APPEND literal accepted, in bytes.</summary>
    public long MaxMessageBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Longest command line outside literals, in bytes.</summary>
    public int MaxLineLength { get; set; } = 64 * 1024;

    /// <summary>Bad commands in a row before BYE.</summary>
    public int MaxErrorsPerSession { get; set; } = 50;

    /// <summary>Concurrent IMAP sessions; more get BYE with a reason.</summary>
    public int MaxSessions { get; set; } = 200;
}
