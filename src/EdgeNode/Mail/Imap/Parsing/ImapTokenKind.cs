namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>The lexical shapes of RFC 9051 §4 that appear in commands.</summary>
public enum ImapTokenKind
{
    /// <summary>An atom, possibly with a bracketed section (<c>BODY.PEEK[HEADER.FIELDS (To)]&lt;0.10&gt;</c>), a flag or a sequence set.</summary>
    Atom,

    /// <summary>A quoted string, escapes removed.</summary>
    Quoted,

    /// <summary>A literal: {n}, {n+} (RFC 7888) or ~{n} (RFC 3516 literal8).</summary>
    Literal,

    /// <summary>A parenthesised list.</summary>
    List,
}
