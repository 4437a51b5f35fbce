using EPostEdge.EdgeNode.Mail.Imap.Fetch;

namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>One requested FETCH item.</summary>
/// <param name="Kind">What is asked for.</param>
/// <param name="Section">The section of BODY[...], BINARY[...] and BINARY.SIZE[...].</param>
/// <param name="Peek">.PEEK: do not set \Seen.</param>
/// <param name="Label">The item name the response uses, e.g. <c>BODY[1.MIME]</c> (partial start added when answering).</param>
public sealed record FetchItem(FetchItemKind Kind, BodySection? Section = null, bool Peek = false, string Label = "")
{
    /// <summary>True when answering needs the message bytes.</summary>
    public bool NeedsMessage => Kind is FetchItemKind.Envelope or FetchItemKind.BodyStructure or FetchItemKind.Body
        or FetchItemKind.BodySection or FetchItemKind.BinarySection or FetchItemKind.BinarySize
        or FetchItemKind.Rfc822 or FetchItemKind.Rfc822Header or FetchItemKind.Rfc822Text;

    /// <summary>Reading it sets \Seen (RFC 9051 §6.4.5: BODY[] and RFC822, RFC822.TEXT; not PEEK, not RFC822.HEADER).</summary>
    public bool SetsSeen => !Peek && Kind is FetchItemKind.BodySection or FetchItemKind.BinarySection or FetchItemKind.Rfc822 or FetchItemKind.Rfc822Text;
}
