namespace EPostEdge.EdgeNode.Configuration;

/// <summary>The "Smtp" section of the config file (environment: <c>EPOSTEDGE_Smtp__Port</c>, …).</summary>
public sealed class SmtpOptions
{
    /// <summary>Receiving (port 25-style): mail for local users from anyone; relay only after AUTH. 0 disables.</summary>
    public int Port { get; set; } = 2525;

    /// <summary>Submission (587-style, RFC 6409): STARTTLS, then AUTH. 0 disables.</summary>
    public int SubmissionPort { get; set; } = 2587;

    /// <summary>Submission over implicit TLS (465-style, RFC 8314). 0 disables.</summary>
    public int ImplicitTlsPort { get; set; } = 2465;

    /// <summary>The name in the greeting, EHLO reply and Received: lines (default: the machine's host name).</summary>
    public string? HostName { get; set; }

    /// <summary>RFC 1870 SIZE: largest message accepted, in bytes.</summary>
    public long MaxMessageBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>RFC 5321 §4.5.3.1.8: at least 100 recipients must be accepted.</summary>
    public int MaxRecipients { get; set; } = 100;

    /// <summary>Largest header section of a message, in bytes (a DATA with more gets 552).</summary>
    public int MaxHeaderBytes { get; set; } = 256 * 1024;

    /// <summary>RFC 5322 §2.1.1: text lines are at most 998 octets + CRLF; longer ones get 500 5.5.2.</summary>
    public int MaxLineLength { get; set; } = 1000;

    /// <summary>Commands in one session before it is closed with 421 (a flood of commands).</summary>
    public int MaxCommandsPerSession { get; set; } = 10_000;

    /// <summary>Bad commands in a row before the session is closed with 421.</summary>
    public int MaxErrorsPerSession { get; set; } = 20;

    /// <summary>RFC 5321 §4.5.3.2.7: server timeout waiting for the next command, seconds (at least 5 minutes).</summary>
    public int CommandTimeoutSeconds { get; set; } = 300;

    /// <summary>RFC 5321 §4.5.3.2.6: timeout for each chunk of DATA, seconds (at least 3 minutes… the server side uses 5).</summary>
    public int DataTimeoutSeconds { get; set; } = 300;

    /// <summary>Concurrent SMTP sessions (all ports); more get 421 4.3.2.</summary>
    public int MaxSessions { get; set; } = 100;
}
