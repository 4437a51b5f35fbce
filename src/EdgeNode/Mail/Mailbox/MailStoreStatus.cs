namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>What <c>status --json</c> shows of the mail store.</summary>
/// <param name="Users">Users known to the node.</param>
/// <param name="Mailboxes">Message counts of the mailboxes loaded so far (a mailbox loads on first use).</param>
/// <param name="TotalMessages">Sum over <paramref name="Mailboxes"/>.</param>
/// <param name="OutboundQueued">Messages waiting for remote delivery.</param>
public sealed record MailStoreStatus(int Users, IReadOnlyList<MailboxStatus> Mailboxes, long TotalMessages, int OutboundQueued);
