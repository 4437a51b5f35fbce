using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Mail.Delivery;

/// <summary>
/// The durable queue of mail for remote recipients: a signed log "outbound" owned by the node's
/// own mail identity (kept in DATA/node-mail.epkb, sealed under the node key), so the queue
/// lives in the journal beside everything else and survives a restart. Entries record
/// "queued" and "done"; the pending set is replayed at open.
/// </summary>
public sealed class OutboundQueue : IDisposable
{
    private const string LogName = "outbound";
    private const byte FormatVersion = 1;
    private const byte TagQueued = 1;
    private const byte TagDone = 2;
    private static readonly KeyBackupParameters NodeSealCost = new(KeyBackupParameters.MinMemorySizeKiB, 1);

    private readonly UserIdentity _identity;
    private readonly SignedLog _log;
    private readonly IRandomSource _random;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OutboundMessage> _pending = new(StringComparer.Ordinal);

    private OutboundQueue(UserIdentity identity, SignedLog log, IRandomSource random)
    {
        _identity = identity;
        _log = log;
        _random = random;
    }

    /// <summary>The node's outbound identity: seal a message to it so the relay can read it.</summary>
    public UserPublicKeys Reader => _identity.PublicKeys;

    /// <summary>Messages waiting.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Opens (creating the node's outbound identity on first use) and replays the queue.</summary>
    public static async Task<OutboundQueue> OpenAsync(LocalStore store, NodeKey nodeKey, IFileSystem fileSystem, string dataDirectory, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(nodeKey);
        var path = Path.Combine(dataDirectory, "node-mail.epkb");
        var passphrase = nodeKey.DerivePassphrase("outbound");
        if (!fileSystem.FileExists(path))
        {
            using var fresh = UserIdentity.Create(random);
            DurableFile.WriteAtomically(fileSystem, path, KeyBackup.Seal(fresh, passphrase, NodeSealCost, random));
        }

        var identity = KeyBackup.Restore(DurableFile.ReadAll(fileSystem, path), passphrase);
        var queue = new OutboundQueue(identity, SignedLog.Open(identity, LogName, store.Blocks, store.Heads, random), random);
        foreach (var payload in await queue._log.ReadAsync(cancellationToken))
        {
            queue.Apply(Decode(payload));
        }

        return queue;
    }

    /// <summary>The messages waiting, oldest first.</summary>
    public IReadOnlyList<OutboundMessage> Pending()
    {
        lock (_lock)
        {
            return [.. _pending.Values.OrderBy(m => m.QueuedAt)];
        }
    }

    /// <summary>Queues a stored message for remote recipients; completes once durable.</summary>
    public async Task<OutboundMessage> EnqueueAsync(BlockKey body, string envelopeFrom, IReadOnlyList<string> recipients, DateTimeOffset queuedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelopeFrom);
        ArgumentNullException.ThrowIfNull(recipients);
        Span<byte> id = stackalloc byte[8];
        _random.NextBytes(id);
        var message = new OutboundMessage(Convert.ToHexStringLower(id), body, envelopeFrom, [.. recipients], queuedAt);
        await AppendAsync(Encode(message, done: false), cancellationToken);
        Apply(message, done: false);
        return message;
    }

    /// <summary>Removes a message from the queue (relayed or bounced); completes once durable.</summary>
    public async Task CompleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var done = new OutboundMessage(id, default, "", [], default);
        await AppendAsync(Encode(done, done: true), cancellationToken);
        Apply(done, done: true);
    }

    /// <summary>Reads a queued message's bytes (as the node's outbound identity).</summary>
    public async Task<byte[]> ReadMessageAsync(LocalStore store, OutboundMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(message);
        var sealedBody = await store.Blocks.GetAsync(message.Body, cancellationToken) ?? throw new InvalidDataException($"queued body {message.Body} is missing");
        return SecureBlock.Open(sealedBody, _identity);
    }

    public void Dispose()
    {
        _log.Dispose();
        _identity.Dispose();
    }

    private async Task AppendAsync(byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            await _log.AppendAsync(payload, cancellationToken);
        }
        catch (Exception e)
        {
            throw MailStore.Translate(e);
        }
    }

    private void Apply((OutboundMessage Message, bool Done) entry) => Apply(entry.Message, entry.Done);

    private void Apply(OutboundMessage message, bool done)
    {
        lock (_lock)
        {
            if (done)
            {
                _pending.Remove(message.Id);
            }
            else
            {
                _pending[message.Id] = message;
            }
        }
    }

    internal static byte[] Encode(OutboundMessage message, bool done)
    {
        var w = new MailLogWriter();
        w.Byte(FormatVersion);
        w.Byte((byte)'O');
        w.Byte(done ? TagDone : TagQueued);
        w.String(message.Id);
        if (!done)
        {
            w.Key(message.Body);
            w.String(message.EnvelopeFrom);
            w.Strings(message.Recipients);
            w.Int64(message.QueuedAt.ToUnixTimeMilliseconds());
        }

        return w.ToArray();
    }

    /// <exception cref="FormatException">Not an outbound-queue entry.</exception>
    internal static (OutboundMessage Message, bool Done) Decode(ReadOnlySpan<byte> payload)
    {
        var r = new MailLogReader(payload);
        if (r.Byte() != FormatVersion || r.Byte() != (byte)'O')
        {
            throw new FormatException("outbound queue entry: unsupported version or kind");
        }

        var tag = r.Byte();
        var id = r.String();
        (OutboundMessage, bool) entry = tag switch
        {
            TagDone => (new OutboundMessage(id, default, "", [], default), true),
            TagQueued => (new OutboundMessage(id, r.Key(), r.String(), r.Strings(), Date(r.Int64())), false),
            _ => throw new FormatException($"outbound queue entry: unknown tag {tag}"),
        };
        return r.AtEnd ? entry : throw new FormatException("outbound queue entry: trailing bytes");
    }

    private static DateTimeOffset Date(long milliseconds) =>
        milliseconds is >= -62135596800000 and <= 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : throw new FormatException("outbound queue entry: date out of range");
}
