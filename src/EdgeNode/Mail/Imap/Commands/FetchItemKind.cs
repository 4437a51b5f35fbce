namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>FETCH data items (RFC 9051 §6.4.5, RFC 3516, RFC 7162 §3.1.4).</summary>
public enum FetchItemKind
{
    Uid,
    Flags,
    InternalDate,
    Rfc822Size,
    Envelope,
    BodyStructure,

    /// <summary>BODY without a section: the non-extensible structure.</summary>
    Body,

    /// <summary>BODY[section] or BODY.PEEK[section].</summary>
    BodySection,

    /// <summary>BINARY[section] or BINARY.PEEK[section].</summary>
    BinarySection,

    BinarySize,
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    ModSeq,
}
