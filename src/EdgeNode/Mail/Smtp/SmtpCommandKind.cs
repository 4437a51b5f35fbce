namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>What <see cref="SmtpCommandParser"/> found on one command line.</summary>
public enum SmtpCommandKind
{
    /// <summary>No command (the default value).</summary>
    None = 0,

    /// <summary>The verb is not one this parser knows; the server answers 500 (RFC 5321 §4.2.4).</summary>
    Unknown,

    /// <summary>A known verb with bad arguments, or a bare CR/LF in the line; the server answers 501.</summary>
    Syntax,

    /// <summary>The line exceeded the limit (RFC 5321 §4.5.3.1.4); the server answers 500.</summary>
    LineTooLong,

    Ehlo,
    Helo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    StartTls,
    Auth,
}
