namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>What an SMTP port is for; it decides what a session requires before MAIL.</summary>
public enum SmtpPortKind
{
    /// <summary>Port 25-style (RFC 5321): mail for local users from anyone; relay only after AUTH.</summary>
    Receiving,

    /// <summary>Port 587-style (RFC 6409): STARTTLS, then AUTH before MAIL.</summary>
    Submission,

    /// <summary>Port 465-style (RFC 8314 §3.3): submission on a connection that is TLS from the start.</summary>
    ImplicitTls,
}
