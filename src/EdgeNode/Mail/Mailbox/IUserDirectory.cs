namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// The node's users: name, addresses, Argon2id password hash, POST keys. Kept in the data
/// folder apart from the journal, so <c>epost-edge user add</c> works while the node runs (the
/// node picks new users up on its next lookup).
/// </summary>
public interface IUserDirectory
{
    /// <summary>Adds a user with a fresh POST identity sealed under <paramref name="password"/>.</summary>
    /// <exception cref="ArgumentException">Bad name, address or a password too weak (the message says which).</exception>
    /// <exception cref="MailboxException">AlreadyExists: the name or an address is taken.</exception>
    Task<UserRecord> AddUserAsync(string name, IReadOnlyList<string> addresses, string password, CancellationToken cancellationToken = default);

    IReadOnlyList<UserRecord> ListUsers();
}
