namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>Why a command could not be framed or tokenised; the session answers BAD (or NO [TOOBIG]).</summary>
public enum ImapCommandError
{
    None,

    /// <summary>Not valid RFC 9051 §9 syntax.</summary>
    Syntax,

    /// <summary>A command line longer than the limit.</summary>
    LineTooLong,

    /// <summary>A literal larger than the limit (RFC 7888 §4, RFC 9051 §7.1 [TOOBIG]).</summary>
    LiteralTooBig,
}
