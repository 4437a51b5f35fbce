namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>
/// What the parser remembers between calls: only the bytes left to drop after a refused command
/// (an overlong line, or a LITERAL+ literal that is too big, RFC 7888 §4).
/// </summary>
public struct ImapParserState
{
    /// <summary>Literal octets still to discard.</summary>
    public long DiscardBytes { get; set; }

    /// <summary>After them (or now), drop bytes through the next CRLF.</summary>
    public bool DiscardLine { get; set; }

    public readonly bool IsDiscarding => DiscardBytes > 0 || DiscardLine;
}
