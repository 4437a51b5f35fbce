namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>What a flag change did.</summary>
/// <param name="Changed">The messages whose flags changed, with their new flags and mod-sequence.</param>
/// <param name="Modified">RFC 7162 §3.1.3: UIDs not changed because their mod-sequence was above UNCHANGEDSINCE.</param>
public sealed record StoreResult(IReadOnlyList<MessageSummary> Changed, IReadOnlyList<uint> Modified);
