namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// One message of a folder as the folder's log defines it now. Immutable: a flag change makes a
/// new summary with a higher <see cref="ModSeq"/>.
/// </summary>
/// <param name="Uid">RFC 9051 §2.3.1.1 unique identifier, strictly ascending within the folder.</param>
/// <param name="InternalDate">The date the message arrived (delivery, APPEND, or kept by COPY/MOVE).</param>
/// <param name="Size">RFC822.SIZE: the exact byte count of the stored message.</param>
/// <param name="Flags">System flags.</param>
/// <param name="Keywords">Keywords (e.g. <c>$Forwarded</c>, <c>$Junk</c>), case preserved, compared case-insensitively.</param>
/// <param name="ModSeq">RFC 7162 mod-sequence of the last change to this message (≥ 1).</param>
/// <param name="Body">Opaque reference to the stored body, handed back to <see cref="IMailFolder.ReadMessageAsync"/>.</param>
public sealed record MessageSummary(
    uint Uid,
    DateTimeOffset InternalDate,
    long Size,
    MessageFlags Flags,
    IReadOnlyList<string> Keywords,
    ulong ModSeq,
    MessageBodyRef Body);
