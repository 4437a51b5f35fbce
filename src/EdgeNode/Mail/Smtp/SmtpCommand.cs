namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// One parsed command line. Which members are set depends on <see cref="Kind"/>:
/// <list type="bullet">
/// <item>EHLO/HELO: <see cref="Argument"/> is the domain or address literal.</item>
/// <item>MAIL/RCPT: <see cref="Path"/> and <see cref="Parameters"/>; for MAIL also the recognised
/// <see cref="DeclaredSize"/>, <see cref="Body"/> and <see cref="RequestsSmtpUtf8"/>.</item>
/// <item>BDAT: <see cref="ChunkSize"/> and <see cref="IsLast"/>.</item>
/// <item>NOOP/VRFY: <see cref="Argument"/> is the string (null for a bare NOOP).</item>
/// <item>AUTH: <see cref="Argument"/> is the mechanism (upper-cased), <see cref="InitialResponse"/> the
/// initial response if any, still base64 (RFC 4954 §4).</item>
/// <item>Syntax/LineTooLong: <see cref="ErrorReason"/> is a short text for the reply.</item>
/// </list>
/// </summary>
public readonly record struct SmtpCommand
{
    public SmtpCommandKind Kind { get; init; }

    public string? Argument { get; init; }

    public string? InitialResponse { get; init; }

    public SmtpPath? Path { get; init; }

    public IReadOnlyList<SmtpParameter> Parameters
    {
        get => field ?? [];
        init;
    }

    public long ChunkSize { get; init; }

    public bool IsLast { get; init; }

    /// <summary>SIZE= of MAIL FROM (RFC 1870 §6), or null when not given.</summary>
    public long? DeclaredSize { get; init; }

    public SmtpBodyType Body { get; init; }

    /// <summary>MAIL FROM carried the SMTPUTF8 parameter (RFC 6531 §3.4).</summary>
    public bool RequestsSmtpUtf8 { get; init; }

    public string? ErrorReason { get; init; }
}
