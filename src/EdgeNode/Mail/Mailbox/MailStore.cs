using System.Collections.Concurrent;
using EPostEdge.EdgeNode.Mail.Delivery;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// The node's mail: users (<see cref="UserDirectory"/>), each user's folders as signed logs in
/// the local store, local delivery and the outbound queue. Thread-safe; one per node.
/// </summary>
public sealed class MailStore : IMailStore, IAsyncDisposable
{
    private readonly LocalStore _store;
    private readonly HashSet<string> _localDomains;
    private readonly IRandomSource _random;
    private readonly TimeProvider _time;
    private readonly OutboundQueue _outbound;
    private readonly ConcurrentDictionary<string, Lazy<Task<UserMailbox>>> _mailboxes = new(StringComparer.OrdinalIgnoreCase);

    private MailStore(LocalStore store, UserDirectory users, IEnumerable<string> localDomains, IRandomSource random, TimeProvider time, OutboundQueue outbound)
    {
        _store = store;
        Users = users;
        _localDomains = new HashSet<string>(localDomains.Select(d => d.ToLowerInvariant()), StringComparer.Ordinal);
        _random = random;
        _time = time;
        _outbound = outbound;
    }

    /// <summary>The node's users.</summary>
    public UserDirectory Users { get; }

    /// <summary>Mail waiting for remote recipients.</summary>
    public OutboundQueue Outbound => _outbound;

    /// <summary>Opens the mail store over <paramref name="store"/> (which it does not own) with users in DATA/users.</summary>
    public static Task<MailStore> OpenAsync(LocalStore store, IFileSystem fileSystem, string dataDirectory, IReadOnlyList<string> localDomains, IRandomSource random, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(random);
        var synchronized = new SynchronizedRandomSource(random);
        return OpenAsync(store, fileSystem, dataDirectory, localDomains, UserDirectory.Open(fileSystem, dataDirectory, synchronized, time, UserCosts.Default), synchronized, time, cancellationToken);
    }

    /// <summary>Opens the mail store with a given user directory (tests choose its Argon2id costs).</summary>
    public static async Task<MailStore> OpenAsync(LocalStore store, IFileSystem fileSystem, string dataDirectory, IReadOnlyList<string> localDomains, UserDirectory users, IRandomSource random, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(localDomains);
        ArgumentNullException.ThrowIfNull(time);
        var synchronized = random as SynchronizedRandomSource ?? new SynchronizedRandomSource(random);
        var outbound = await OutboundQueue.OpenAsync(store, users.NodeKey, fileSystem, dataDirectory, synchronized, cancellationToken);
        return new MailStore(store, users, localDomains, synchronized, time, outbound);
    }

    /// <inheritdoc />
    public async Task<IUserMailbox?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        var user = await Users.VerifyPasswordAsync(userName, password, cancellationToken);
        return user is null ? null : await LoadAsync(user.Name, cancellationToken);
    }

    /// <summary>A user's mailbox (loaded and replayed on first use).</summary>
    /// <exception cref="MailboxException">NotFound: no such user.</exception>
    public async Task<IUserMailbox> GetMailboxAsync(string userName, CancellationToken cancellationToken = default) =>
        await LoadAsync(userName, cancellationToken);

    /// <inheritdoc />
    public RecipientKind ClassifyRecipient(string address)
    {
        if (!UserNames.TryNormalizeAddress(address, out var normalized))
        {
            if (IsPostmaster(address))
            {
                return PostmasterUser() is null ? RecipientKind.UnknownLocalUser : RecipientKind.LocalUser;
            }

            // Never relay what names one of our own domains, even when no user could own it.
            var at = address?.LastIndexOf('@') ?? -1;
            return at >= 0 && _localDomains.Contains(address![(at + 1)..].ToLowerInvariant()) ? RecipientKind.UnknownLocalUser : RecipientKind.Remote;
        }

        // A user's own address is local even in a domain the configuration does not list.
        if (Users.FindStored(normalized) is not null)
        {
            return RecipientKind.LocalUser;
        }

        if (IsPostmaster(normalized))
        {
            return PostmasterUser() is null ? RecipientKind.UnknownLocalUser : RecipientKind.LocalUser;
        }

        return _localDomains.Contains(normalized[(normalized.LastIndexOf('@') + 1)..]) ? RecipientKind.UnknownLocalUser : RecipientKind.Remote;
    }

    /// <inheritdoc />
    public async Task DeliverAsync(ReadOnlyMemory<byte> message, string envelopeFrom, IReadOnlyList<string> recipients, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelopeFrom);
        ArgumentNullException.ThrowIfNull(recipients);
        var local = new Dictionary<string, UserMailbox>(StringComparer.Ordinal);
        var remote = new List<string>();
        foreach (var recipient in recipients)
        {
            switch (ClassifyRecipient(recipient))
            {
                case RecipientKind.LocalUser:
                    var name = LocalUserFor(recipient);
                    // One copy per user, however many of their addresses the envelope names.
                    local.TryAdd(name, await LoadAsync(name, cancellationToken));
                    break;
                case RecipientKind.Remote:
                    remote.Add(recipient);
                    break;
                default:
                    throw new MailboxException(MailboxErrorKind.NotFound, $"no local user {recipient}");
            }
        }

        if (local.Count == 0 && remote.Count == 0)
        {
            return;
        }

        // POST: one secure block sealed to every reader of this delivery, stored once.
        var readers = local.Values.Select(m => m.PublicKeys).ToList();
        if (remote.Count > 0)
        {
            readers.Add(_outbound.Reader);
        }

        var body = await UserMailbox.PutBodyAsync(_store, SecureBlock.Seal(message.Span, readers, _random), cancellationToken);
        var now = _time.GetUtcNow();
        var added = new FolderEvent.MessageAdded(body, now.ToUnixTimeMilliseconds(), message.Length, MessageFlags.None, []);
        var writes = local.Values.Select(m => (Task)m.InboxFolder.AddAsync(added)).ToList();
        if (remote.Count > 0)
        {
            writes.Add(_outbound.EnqueueAsync(body, envelopeFrom, remote, now, cancellationToken));
        }

        await Task.WhenAll(writes);
    }

    /// <summary>
    /// RFC 5321 §4.5.1: "Postmaster" (no domain) and postmaster@ any local domain must be accepted
    /// even when no user has that address. A user whose address it is gets it as usual; otherwise
    /// it goes to the user named "postmaster" when there is one, else to the first user in ordinal
    /// name order (on a home appliance, its owner). With no users at all there is no one to deliver
    /// to, and it is refused like any unknown local user.
    /// </summary>
    private bool IsPostmaster(string? address)
    {
        if (address is null)
        {
            return false;
        }

        var at = address.LastIndexOf('@');
        return at < 0
            ? address.Equals("postmaster", StringComparison.OrdinalIgnoreCase)
            : address[..at].Equals("postmaster", StringComparison.OrdinalIgnoreCase) && _localDomains.Contains(address[(at + 1)..].ToLowerInvariant());
    }

    /// <summary>The login name postmaster mail goes to (see <see cref="IsPostmaster"/>), or null when there are no users.</summary>
    private string? PostmasterUser()
    {
        if (Users.FindStored("postmaster") is { } named && named.Name.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
        {
            return named.Name;
        }

        var users = Users.ListUsers();
        return users.Count == 0 ? null : users[0].Name;
    }

    /// <summary>The login name of the local user a recipient classified <see cref="RecipientKind.LocalUser"/> goes to.</summary>
    private string LocalUserFor(string recipient)
    {
        if (UserNames.TryNormalizeAddress(recipient, out var normalized) && Users.FindStored(normalized) is { } user)
        {
            return user.Name;
        }

        return PostmasterUser() ?? throw new MailboxException(MailboxErrorKind.NotFound, $"no local user {recipient}");
    }

    /// <summary>Users, loaded mailboxes' message counts and the outbound queue length.</summary>
    public MailStoreStatus GetStatus()
    {
        var loaded = _mailboxes.Values
            .Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)
            .Select(l => l.Value.Result)
            .OrderBy(m => m.UserName, StringComparer.Ordinal)
            .Select(m => new MailboxStatus(m.UserName, m.MessageCount))
            .ToList();
        return new MailStoreStatus(Users.ListUsers().Count, loaded, loaded.Sum(m => (long)m.Messages), _outbound.Count);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _mailboxes.Values.Where(l => l.IsValueCreated))
        {
            try
            {
                (await lazy.Value).Dispose();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A mailbox that failed to load holds nothing to release.
            }
        }

        _outbound.Dispose();
    }

    /// <summary>The store's refusals as the mailbox errors protocol code maps to replies.</summary>
    internal static Exception Translate(Exception e) => e switch
    {
        QuotaExceededException q => new MailboxException(MailboxErrorKind.OverQuota, "the mail store is over its disk quota", q),
        _ => e,
    };

    private async Task<UserMailbox> LoadAsync(string userName, CancellationToken cancellationToken)
    {
        var user = Users.FindStored(userName) ?? throw new MailboxException(MailboxErrorKind.NotFound, $"no user '{userName}'");
        var lazy = _mailboxes.GetOrAdd(user.Name, name => new Lazy<Task<UserMailbox>>(() => OpenMailboxAsync(name)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // Let the next caller try again (e.g. after a transient disk error).
            _mailboxes.TryRemove(new KeyValuePair<string, Lazy<Task<UserMailbox>>>(user.Name, lazy));
            throw;
        }
    }

    private Task<UserMailbox> OpenMailboxAsync(string name)
    {
        var user = Users.FindStored(name)!;
        return UserMailbox.OpenAsync(user.Name, user.Addresses, Users.OpenIdentity(name), _store, _random, _time, CancellationToken.None);
    }
}
