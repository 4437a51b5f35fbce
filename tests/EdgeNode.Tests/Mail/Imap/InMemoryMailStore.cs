using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>A test double of <see cref="IMailStore"/>: one user "alice" with password "secret".</summary>
internal sealed class InMemoryMailStore : IMailStore
{
    public InMemoryUserMailbox Alice { get; } = new("alice");

    public Task<IUserMailbox?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken = default) =>
        Task.FromResult<IUserMailbox?>(userName.Equals("alice", StringComparison.OrdinalIgnoreCase) && password == "secret" ? Alice : null);

    public RecipientKind ClassifyRecipient(string address) => RecipientKind.LocalUser;

    public Task DeliverAsync(ReadOnlyMemory<byte> message, string envelopeFrom, IReadOnlyList<string> recipients, CancellationToken cancellationToken = default) =>
        Alice.Inbox.AppendAsync(message, MessageFlags.None, [], DateTimeOffset.UnixEpoch, cancellationToken);
}
