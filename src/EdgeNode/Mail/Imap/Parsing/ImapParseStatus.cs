namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>What <see cref="ImapCommandParser.TryParseCommand"/> found in the buffered bytes.</summary>
public enum ImapParseStatus
{
    /// <summary>No whole command yet; nothing was consumed (read more).</summary>
    Incomplete,

    /// <summary>A whole command (or a framing error reported as a command) was consumed.</summary>
    Complete,

    /// <summary>
    /// Incomplete, and the client waits for a <c>+</c> continuation before it sends a synchronising
    /// literal (RFC 9051 §4.3, §7.5). Nothing was consumed.
    /// </summary>
    NeedsContinuation,
}
