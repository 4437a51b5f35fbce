namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>Why the text of a DATA command is refused; the first one met is kept.</summary>
public enum SmtpDataError
{
    None = 0,

    /// <summary>RFC 5321 §4.5.3.1.6: a text line longer than the limit (500 5.5.2).</summary>
    LineTooLong,

    /// <summary>The header section is larger than the limit (552 5.3.4).</summary>
    HeaderTooLarge,

    /// <summary>RFC 1870 §6: the message is larger than SIZE (552 5.3.4).</summary>
    TooBig,

    /// <summary>RFC 5321 §2.3.8: a CR or LF that is not part of a CRLF (the SMTP smuggling defence).</summary>
    BareLineEnding,
}
