using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Local;
using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// One user's folders. The folder list is the user's signed log "folders" (created, renamed,
/// deleted, subscribed); each folder is its own log. The node writes them with the user's
/// identity (opened with the node key), as POST's home node does.
/// </summary>
/// <remarks>
/// DELETE of a folder that has children is refused (NotAllowed): RFC 9051 §6.3.5 lets a server
/// either do that or keep the parent as \Noselect, and FolderInfo has no \Noselect to show.
/// </remarks>
internal sealed class UserMailbox : IUserMailbox, IDisposable
{
    public const string Inbox = "INBOX";
    private const string FolderListLogName = "folders";
    private const char Delimiter = '/';
    private const int MaxNameLength = 200;

    private static readonly (string Name, SpecialUse Use)[] Defaults =
    [
        (Inbox, SpecialUse.None), ("Sent", SpecialUse.Sent), ("Drafts", SpecialUse.Drafts),
        ("Trash", SpecialUse.Trash), ("Junk", SpecialUse.Junk), ("Archive", SpecialUse.Archive),
    ];

    private readonly UserIdentity _identity;
    private readonly LocalStore _store;
    private readonly IRandomSource _random;
    private readonly TimeProvider _time;
    private readonly SignedLog _folderList;
    private readonly SemaphoreSlim _listGate = new(1, 1);
    private volatile IReadOnlyDictionary<string, MailFolder> _byName = new Dictionary<string, MailFolder>();
    private HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private uint _lastUidValidity;

    private UserMailbox(string userName, IReadOnlyList<string> addresses, UserIdentity identity, LocalStore store, IRandomSource random, TimeProvider time)
    {
        UserName = userName;
        Addresses = addresses;
        _identity = identity;
        _store = store;
        _random = random;
        _time = time;
        _folderList = SignedLog.Open(identity, FolderListLogName, store.Blocks, store.Heads, random);
    }

    public string UserName { get; }

    public IReadOnlyList<string> Addresses { get; }

    public UserPublicKeys PublicKeys => _identity.PublicKeys;

    /// <summary>The user's INBOX (always present).</summary>
    public MailFolder InboxFolder => _byName[Inbox];

    /// <summary>Messages in all folders now.</summary>
    public int MessageCount => _byName.Values.Sum(f => f.Snapshot().Messages.Count);

    /// <summary>Replays the folder list and every folder; on first use writes the default folders.</summary>
    public static async Task<UserMailbox> OpenAsync(string userName, IReadOnlyList<string> addresses, UserIdentity identity, LocalStore store, IRandomSource random, TimeProvider time, CancellationToken cancellationToken)
    {
        var mailbox = new UserMailbox(userName, addresses, identity, store, random, time);
        try
        {
            await mailbox.LoadAsync(cancellationToken);
            return mailbox;
        }
        catch
        {
            mailbox.Dispose();
            throw;
        }
    }

    public IReadOnlyList<FolderInfo> ListFolders()
    {
        var subscribed = Volatile.Read(ref _subscribed);
        return [.. _byName.Values
            .OrderBy(f => f.Name == Inbox ? 0 : 1)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new FolderInfo(f.Name, f.SpecialUse, subscribed.Contains(f.Name)))];
    }

    public IMailFolder? GetFolder(string name) => Find(name);

    internal MailFolder? Find(string name) =>
        name is not null && _byName.TryGetValue(Normalize(name), out var folder) ? folder : null;

    public async Task CreateFolderAsync(string name, CancellationToken cancellationToken = default)
    {
        name = ValidName(name);
        await _listGate.WaitAsync(cancellationToken);
        try
        {
            if (_byName.ContainsKey(name))
            {
                throw new MailboxException(MailboxErrorKind.AlreadyExists, $"folder {name} exists already");
            }

            // RFC 9051 §6.3.4: create the superior names that are needed too.
            var events = new List<FolderListEvent>();
            foreach (var missing in Superiors(name).Append(name).Where(n => !_byName.ContainsKey(n)))
            {
                events.Add(NewFolder(missing, SpecialUse.None));
            }

            await CommitListAsync(events, cancellationToken);
        }
        finally
        {
            _listGate.Release();
        }
    }

    public async Task DeleteFolderAsync(string name, CancellationToken cancellationToken = default)
    {
        name = Normalize(name);
        await _listGate.WaitAsync(cancellationToken);
        try
        {
            if (name == Inbox)
            {
                throw new MailboxException(MailboxErrorKind.NotAllowed, "INBOX cannot be deleted");
            }

            var folder = _byName.GetValueOrDefault(name) ?? throw new MailboxException(MailboxErrorKind.NotFound, $"no folder {name}");
            if (_byName.Keys.Any(n => n.StartsWith(name + Delimiter, StringComparison.Ordinal)))
            {
                throw new MailboxException(MailboxErrorKind.NotAllowed, $"folder {name} has child folders: delete them first");
            }

            await CommitListAsync([new FolderListEvent.Deleted(folder.Id)], cancellationToken);
        }
        finally
        {
            _listGate.Release();
        }
    }

    public async Task RenameFolderAsync(string oldName, string newName, CancellationToken cancellationToken = default)
    {
        oldName = Normalize(oldName);
        newName = ValidName(newName);
        MailFolder? inboxTarget = null;
        await _listGate.WaitAsync(cancellationToken);
        try
        {
            var folder = _byName.GetValueOrDefault(oldName) ?? throw new MailboxException(MailboxErrorKind.NotFound, $"no folder {oldName}");
            if (_byName.ContainsKey(newName))
            {
                throw new MailboxException(MailboxErrorKind.AlreadyExists, $"folder {newName} exists already");
            }

            if (newName.StartsWith(oldName + Delimiter, StringComparison.Ordinal))
            {
                throw new MailboxException(MailboxErrorKind.NotAllowed, $"cannot rename {oldName} into itself");
            }

            var events = new List<FolderListEvent>();
            foreach (var missing in Superiors(newName).Where(n => !_byName.ContainsKey(n)))
            {
                events.Add(NewFolder(missing, SpecialUse.None));
            }

            if (oldName == Inbox)
            {
                // RFC 9051 §6.3.6: renaming INBOX moves its messages to a new folder and leaves
                // INBOX empty; INBOX's children are not affected.
                events.Add(NewFolder(newName, SpecialUse.None));
                await CommitListAsync(events, cancellationToken);
                inboxTarget = _byName[newName];
            }
            else
            {
                var subscribed = Volatile.Read(ref _subscribed);
                foreach (var (name, child) in _byName.Where(p => p.Key == oldName || p.Key.StartsWith(oldName + Delimiter, StringComparison.Ordinal)))
                {
                    var renamed = newName + name[oldName.Length..];
                    events.Add(new FolderListEvent.Renamed(child.Id, renamed));
                    if (subscribed.Contains(name))
                    {
                        events.Add(new FolderListEvent.Subscription(name, false));
                        events.Add(new FolderListEvent.Subscription(renamed, true));
                    }
                }

                await CommitListAsync(events, cancellationToken);
            }
        }
        finally
        {
            _listGate.Release();
        }

        if (inboxTarget is not null)
        {
            var inbox = InboxFolder;
            await inbox.CopyToAsync([.. inbox.Snapshot().Messages.Select(m => m.Uid)], inboxTarget, move: true, cancellationToken);
        }
    }

    public async Task SetSubscribedAsync(string name, bool subscribed, CancellationToken cancellationToken = default)
    {
        name = ValidName(name);
        await _listGate.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _subscribed).Contains(name) != subscribed)
            {
                await CommitListAsync([new FolderListEvent.Subscription(name, subscribed)], cancellationToken);
            }
        }
        finally
        {
            _listGate.Release();
        }
    }

    /// <summary>Seals a message for this user and stores it; returns its block key.</summary>
    internal async Task<BlockKey> StoreBodyAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var sealedBody = SecureBlock.Seal(message.Span, [_identity.PublicKeys], _random);
        return await PutBodyAsync(_store, sealedBody, cancellationToken);
    }

    internal static async Task<BlockKey> PutBodyAsync(LocalStore store, byte[] sealedBody, CancellationToken cancellationToken)
    {
        try
        {
            return await store.Blocks.PutAsync(sealedBody, cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new MailboxException(MailboxErrorKind.TooBig, "the message is larger than the store accepts", e);
        }
        catch (QuotaExceededException e)
        {
            throw MailStore.Translate(e);
        }
    }

    internal async Task<ReadOnlyMemory<byte>> ReadBodyAsync(BlockKey key, CancellationToken cancellationToken)
    {
        var sealedBody = await _store.Blocks.GetAsync(key, cancellationToken)
            ?? throw new InvalidDataException($"message body {key} is missing from the store");
        return SecureBlock.Open(sealedBody, _identity);
    }

    /// <summary>Appends to one of this user's logs (never the caller's token: a group commit serves many callers).</summary>
    internal async Task AppendAsync(SignedLog log, byte[] payload) => await log.AppendAsync(payload, CancellationToken.None);

    public void Dispose()
    {
        _folderList.Dispose();
        _listGate.Dispose();
        _identity.Dispose();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var events = new List<FolderListEvent>();
        foreach (var payload in await _folderList.ReadAsync(cancellationToken))
        {
            events.AddRange(MailLogCodec.DecodeFolderListEvents(payload));
        }

        await ApplyListAsync(events, cancellationToken);
        if (events.Count == 0)
        {
            var defaults = new List<FolderListEvent>();
            foreach (var (name, use) in Defaults)
            {
                defaults.Add(NewFolder(name, use));
                defaults.Add(new FolderListEvent.Subscription(name, true));
            }

            await CommitListAsync(defaults, cancellationToken);
        }
    }

    private async Task CommitListAsync(List<FolderListEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await _folderList.AppendAsync(MailLogCodec.EncodeFolderListEvents(events), cancellationToken);
        }
        catch (Exception e)
        {
            throw MailStore.Translate(e);
        }

        await ApplyListAsync(events, cancellationToken);
    }

    // Applies folder-list events to the live state (at load and after each commit).
    private async Task ApplyListAsync(List<FolderListEvent> events, CancellationToken cancellationToken)
    {
        var byId = _byName.Values.ToDictionary(f => f.Id);
        var subscribed = new HashSet<string>(Volatile.Read(ref _subscribed), StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e)
            {
                case FolderListEvent.Created c:
                    _lastUidValidity = Math.Max(_lastUidValidity, c.UidValidity);
                    var log = SignedLog.Open(_identity, MailFolder.LogName(c.Id), _store.Blocks, _store.Heads, _random);
                    byId[c.Id] = await MailFolder.OpenAsync(this, c.Id, c.Name, c.SpecialUse, c.UidValidity, log, cancellationToken);
                    break;
                case FolderListEvent.Renamed r when byId.TryGetValue(r.Id, out var folder):
                    folder.Rename(r.NewName);
                    break;
                case FolderListEvent.Deleted d when byId.Remove(d.Id, out var gone):
                    gone.MarkDeleted();
                    break;
                case FolderListEvent.Subscription s:
                    _ = s.Subscribed ? subscribed.Add(s.Name) : subscribed.Remove(s.Name);
                    break;
                default:
                    break; // rename or delete of an unknown id: nothing to do
            }
        }

        _byName = byId.Values.ToDictionary(f => f.Name, StringComparer.Ordinal);
        Volatile.Write(ref _subscribed, subscribed);
    }

    private FolderListEvent.Created NewFolder(string name, SpecialUse use)
    {
        Span<byte> id = stackalloc byte[8];
        _random.NextBytes(id);
        // RFC 9051 §2.3.1.1: a re-created name must get a new, higher UIDVALIDITY; seconds since
        // the epoch, bumped past the last one issued, give that across restarts too.
        var seconds = (uint)Math.Clamp(_time.GetUtcNow().ToUnixTimeSeconds(), 1, uint.MaxValue);
        _lastUidValidity = Math.Max(seconds, _lastUidValidity + 1);
        return new FolderListEvent.Created(Convert.ToHexStringLower(id), name, use, _lastUidValidity);
    }

    /// <summary>RFC 9051 §5.1: INBOX is case-insensitive, including as the first level of a hierarchy.</summary>
    private static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Equals(Inbox, StringComparison.OrdinalIgnoreCase))
        {
            return Inbox;
        }

        return name.StartsWith(Inbox + Delimiter, StringComparison.OrdinalIgnoreCase) ? Inbox + name[Inbox.Length..] : name;
    }

    private static string ValidName(string name)
    {
        name = Normalize(name);
        if (name.Length is 0 or > MaxNameLength || name.Split(Delimiter).Any(part => part.Length == 0)
            || name.Any(c => char.IsControl(c) || c is '*' or '%'))
        {
            throw new MailboxException(MailboxErrorKind.NotAllowed, $"'{name}' is not a valid folder name");
        }

        return name;
    }

    private static IEnumerable<string> Superiors(string name)
    {
        for (var i = name.IndexOf(Delimiter); i > 0; i = name.IndexOf(Delimiter, i + 1))
        {
            yield return name[..i];
        }
    }
}
