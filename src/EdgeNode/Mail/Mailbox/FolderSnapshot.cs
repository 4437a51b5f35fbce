namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// A folder's state at one moment, derived from its log: an immutable value a session can hold
/// while other sessions change the folder. Message sequence number n is <c>Messages[n - 1]</c>.
/// </summary>
/// <param name="UidValidity">RFC 9051 §2.3.1.1; changes only when the folder is deleted and re-created.</param>
/// <param name="UidNext">The UID the next message added will get.</param>
/// <param name="HighestModSeq">RFC 7162 HIGHESTMODSEQ (≥ 1 even for an empty folder).</param>
/// <param name="Messages">Present messages in ascending UID order.</param>
public sealed record FolderSnapshot(
    uint UidValidity,
    uint UidNext,
    ulong HighestModSeq,
    IReadOnlyList<MessageSummary> Messages);
