namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// A user's folders. Every user has INBOX, Sent, Drafts, Trash, Junk and Archive from the start
/// (with their RFC 6154 attributes) plus folders they create. Names use '/' as the hierarchy
/// delimiter; "INBOX" is case-insensitive (RFC 9051 §5.1).
/// </summary>
public interface IUserMailbox
{
    /// <summary>The login name.</summary>
    string UserName { get; }

    /// <summary>The user's mail addresses.</summary>
    IReadOnlyList<string> Addresses { get; }

    IReadOnlyList<FolderInfo> ListFolders();

    /// <summary>The folder, or null when there is none of that name.</summary>
    IMailFolder? GetFolder(string name);

    /// <exception cref="MailboxException">AlreadyExists, NotAllowed (bad name).</exception>
    Task CreateFolderAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a folder and its messages (RFC 9051 §6.3.5); INBOX cannot be deleted.</summary>
    /// <exception cref="MailboxException">NotFound, NotAllowed.</exception>
    Task DeleteFolderAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Renames a folder and its children (RFC 9051 §6.3.6); renaming INBOX moves its messages to the new folder.</summary>
    /// <exception cref="MailboxException">NotFound, AlreadyExists, NotAllowed.</exception>
    Task RenameFolderAsync(string oldName, string newName, CancellationToken cancellationToken = default);

    /// <summary>SUBSCRIBE / UNSUBSCRIBE.</summary>
    Task SetSubscribedAsync(string name, bool subscribed, CancellationToken cancellationToken = default);
}
