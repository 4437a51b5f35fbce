using MimeKit;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// One MIME entity of a parsed message with its byte offsets into the message: the entity's
/// header starts at <see cref="Begin"/>, its body spans [<see cref="HeadersEnd"/>, <see cref="End"/>).
/// Offsets come from MimeKit's parser, so the body of a multipart child excludes the CRLF that
/// belongs to the next boundary (RFC 2046 §5.1.1), which is what Dovecot and Cyrus count.
/// </summary>
internal sealed class OutlinePart(MimeEntity entity, long begin)
{
    public MimeEntity Entity { get; } = entity;

    public long Begin { get; } = begin;

    public long HeadersEnd { get; set; }

    public long End { get; set; }

    /// <summary>Children of a multipart, or the single root entity of an encapsulated message.</summary>
    public List<OutlinePart> Children { get; } = [];

    public bool IsMultipart => Entity is Multipart;

    /// <summary>
    /// message/rfc822 and message/global (RFC 9051 §7.5.2 body-type-msg). MimeKit also parses
    /// text/rfc822-headers as a MessagePart, but IMAP treats that as a plain text leaf.
    /// </summary>
    public bool IsMessage =>
        Entity is MessagePart { Message: not null }
        && Entity.ContentType.IsMimeType("message", "*")
        && (Entity.ContentType.MediaSubtype.Equals("rfc822", StringComparison.OrdinalIgnoreCase)
            || Entity.ContentType.MediaSubtype.Equals("global", StringComparison.OrdinalIgnoreCase))
        && Children.Count == 1;

    /// <summary>The encapsulated message of a message/rfc822 part.</summary>
    public MimeMessage? Message => (Entity as MessagePart)?.Message;
}
