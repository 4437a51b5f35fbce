using System.Text;

namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>One argument of a command: an atom, a string, a literal or a list of tokens.</summary>
public sealed class ImapToken
{
    private string? _text;

    private ImapToken(ImapTokenKind kind, string? text, byte[]? bytes, IReadOnlyList<ImapToken>? items, bool isBinary)
    {
        Kind = kind;
        _text = text;
        Bytes = bytes;
        Items = items ?? [];
        IsBinary = isBinary;
    }

    public ImapTokenKind Kind { get; }

    /// <summary>The literal's octets (for <see cref="ImapTokenKind.Literal"/>).</summary>
    public byte[]? Bytes { get; }

    /// <summary>The list's members (for <see cref="ImapTokenKind.List"/>).</summary>
    public IReadOnlyList<ImapToken> Items { get; }

    /// <summary>A literal8 (<c>~{n}</c>, RFC 3516 §4.4): binary content may hold NUL.</summary>
    public bool IsBinary { get; }

    /// <summary>The text of an atom or string; a literal decoded as UTF-8; empty for a list.</summary>
    public string Text => _text ??= Bytes is null ? string.Empty : Encoding.UTF8.GetString(Bytes);

    public bool IsAtom => Kind == ImapTokenKind.Atom;

    public bool IsList => Kind == ImapTokenKind.List;

    /// <summary>string (quoted or literal), RFC 9051 §9.</summary>
    public bool IsString => Kind is ImapTokenKind.Quoted or ImapTokenKind.Literal;

    /// <summary>astring: an atom or a string.</summary>
    public bool IsAString => Kind != ImapTokenKind.List;

    /// <summary>The NIL atom.</summary>
    public bool IsNil => Kind == ImapTokenKind.Atom && Text.Equals("NIL", StringComparison.OrdinalIgnoreCase);

    public static ImapToken Atom(string text) => new(ImapTokenKind.Atom, text, null, null, false);

    public static ImapToken Quoted(string text) => new(ImapTokenKind.Quoted, text, null, null, false);

    public static ImapToken Literal(byte[] bytes, bool isBinary) => new(ImapTokenKind.Literal, null, bytes, null, isBinary);

    public static ImapToken List(IReadOnlyList<ImapToken> items) => new(ImapTokenKind.List, null, null, items, false);

    /// <summary>True for an atom equal to <paramref name="word"/> ignoring ASCII case.</summary>
    public bool IsWord(string word) => Kind == ImapTokenKind.Atom && Text.Equals(word, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Kind switch
    {
        ImapTokenKind.List => "(" + string.Join(' ', Items) + ")",
        ImapTokenKind.Quoted => "\"" + Text + "\"",
        ImapTokenKind.Literal => (IsBinary ? "~{" : "{") + Bytes!.Length + "}" + Text,
        _ => Text,
    };
}
