namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// What the SMTP and IMAP servers need of the node's mail: log users in, classify recipients,
/// deliver. One instance per node, thread-safe.
/// </summary>
public interface IMailStore
{
    /// <summary>
    /// Checks a password (user name or one of the user's addresses, case-insensitive). Returns the
    /// user's mailbox, or null for a wrong name or password (never says which).
    /// </summary>
    Task<IUserMailbox?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken = default);

    /// <summary>What <paramref name="address"/> (a bare addr-spec, no angle brackets) is to this node.</summary>
    RecipientKind ClassifyRecipient(string address);

    /// <summary>
    /// Delivers one message: into the INBOX of every local recipient, and into the durable
    /// outbound queue for every remote one. Completes only when all of it is durable (journal
    /// fsync): SMTP answers 250 after that and not before.
    /// </summary>
    /// <param name="message">The message bytes as received (after dot-unstuffing), with the Received: line already prepended.</param>
    /// <param name="envelopeFrom">MAIL FROM (empty string for the null reverse-path).</param>
    /// <param name="recipients">RCPT TO addresses, each already classified as LocalUser or Remote.</param>
    /// <exception cref="MailboxException">OverQuota (→ 452 4.3.1), TooBig.</exception>
    Task DeliverAsync(ReadOnlyMemory<byte> message, string envelopeFrom, IReadOnlyList<string> recipients, CancellationToken cancellationToken = default);
}
