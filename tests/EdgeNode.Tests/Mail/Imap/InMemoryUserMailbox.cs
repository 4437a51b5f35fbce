using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>A test double of <see cref="IUserMailbox"/> with the default folders.</summary>
internal sealed class InMemoryUserMailbox : IUserMailbox
{
    private readonly Dictionary<BlockKey, byte[]> _bodies = [];
    private readonly List<InMemoryMailFolder> _folders = [];
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private uint _nextValidity = 1000;

    public InMemoryUserMailbox(string userName)
    {
        UserName = userName;
        Add("INBOX", SpecialUse.None);
        Add("Sent", SpecialUse.Sent);
        Add("Drafts", SpecialUse.Drafts);
        Add("Trash", SpecialUse.Trash);
        Add("Junk", SpecialUse.Junk);
        Add("Archive", SpecialUse.Archive);
        _subscribed.UnionWith(["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"]);
    }

    public string UserName { get; }

    public IReadOnlyList<string> Addresses => [UserName + "@home.lan"];

    public InMemoryMailFolder Inbox => Folder("INBOX");

    public InMemoryMailFolder Folder(string name)
    {
        lock (_folders)
        {
            return _folders.Single(f => f.Name == name);
        }
    }

    public IReadOnlyList<FolderInfo> ListFolders()
    {
        lock (_folders)
        {
            return _folders.Select(f => new FolderInfo(f.Name, f.SpecialUse, _subscribed.Contains(f.Name))).ToList();
        }
    }

    public IMailFolder? GetFolder(string name)
    {
        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            name = "INBOX";
        }

        lock (_folders)
        {
            return _folders.FirstOrDefault(f => f.Name == name);
        }
    }

    public Task CreateFolderAsync(string name, CancellationToken cancellationToken = default)
    {
        if (name.Length == 0 || name.StartsWith('/'))
        {
            throw new MailboxException(MailboxErrorKind.NotAllowed, "bad name");
        }

        if (GetFolder(name) is not null)
        {
            throw new MailboxException(MailboxErrorKind.AlreadyExists, "Mailbox exists");
        }

        Add(name, SpecialUse.None);
        return Task.CompletedTask;
    }

    public Task DeleteFolderAsync(string name, CancellationToken cancellationToken = default)
    {
        if (name == "INBOX")
        {
            throw new MailboxException(MailboxErrorKind.NotAllowed, "INBOX cannot be deleted");
        }

        var folder = GetFolder(name) as InMemoryMailFolder ?? throw new MailboxException(MailboxErrorKind.NotFound, "No such mailbox");
        lock (_folders)
        {
            folder.Deleted = true;
            _folders.Remove(folder);
        }

        return Task.CompletedTask;
    }

    public Task RenameFolderAsync(string oldName, string newName, CancellationToken cancellationToken = default)
    {
        var folder = GetFolder(oldName) as InMemoryMailFolder ?? throw new MailboxException(MailboxErrorKind.NotFound, "No such mailbox");
        if (GetFolder(newName) is not null)
        {
            throw new MailboxException(MailboxErrorKind.AlreadyExists, "Mailbox exists");
        }

        lock (_folders)
        {
            foreach (var f in _folders.Where(f => f.Name.StartsWith(oldName + "/", StringComparison.Ordinal)))
            {
                f.Name = newName + f.Name[oldName.Length..];
            }

            folder.Name = newName;
        }

        return Task.CompletedTask;
    }

    public Task SetSubscribedAsync(string name, bool subscribed, CancellationToken cancellationToken = default)
    {
        lock (_folders)
        {
            if (subscribed)
            {
                _subscribed.Add(name);
            }
            else
            {
                _subscribed.Remove(name);
            }
        }

        return Task.CompletedTask;
    }

    private void Add(string name, SpecialUse use)
    {
        lock (_folders)
        {
            _folders.Add(new InMemoryMailFolder(name, use, _nextValidity++, _bodies));
        }
    }
}
