namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>One loaded mailbox in <see cref="MailStoreStatus"/>.</summary>
public sealed record MailboxStatus(string UserName, int Messages);
