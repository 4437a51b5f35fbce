using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>
/// Plaintext of recently read message bodies, shared by the sessions of one IMAP service and
/// bounded by bytes (least recently used goes first).
/// </summary>
/// <remarks>
/// Opening a stored body costs a block lookup, a SHA-256 check, an X25519 agreement and an
/// XChaCha20-Poly1305 decryption (POST's secure blocks); most of the CPU of a FETCH BODY[]
/// went there, while clients re-read the same recent messages (list, then open, then a
/// client's own re-fetch). Bodies are content-addressed and immutable, so an entry is never
/// stale; it is keyed by folder instance too, so one user's session can only hit bodies it
/// reached through its own folder. The plaintext stays in memory only while sessions run:
/// <see cref="Clear"/> drops it when the last session ends.
/// </remarks>
internal sealed class BodyCache
{
    /// <summary>The default bound: small next to the node's ~32 MiB budget.</summary>
    public const long DefaultCapacity = 2 * 1024 * 1024;

    private readonly long _capacity;
    private readonly long _largestEntry;
    private readonly Dictionary<Key, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recent = new();
    private readonly Lock _gate = new();
    private long _bytes;

    /// <param name="capacity">Most plaintext bytes held; 0 turns the cache off.</param>
    public BodyCache(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
        // One large message must not push out everything else.
        _largestEntry = capacity / 8;
    }

    /// <summary>Plaintext bytes held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Bodies held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The message's plaintext, from the cache or read (and then kept) from the folder.</summary>
    /// <exception cref="MailboxException">The message is gone (as <see cref="IMailFolder.ReadMessageAsync"/>).</exception>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(IMailFolder folder, MessageSummary message, bool keep, CancellationToken cancellationToken)
    {
        if (TryGet(folder, message.Body.Block, out var cached))
        {
            return cached;
        }

        var body = await folder.ReadMessageAsync(message, cancellationToken);
        if (keep)
        {
            Add(folder, message.Body.Block, body);
        }

        return body;
    }

    public bool TryGet(IMailFolder folder, BlockKey block, out ReadOnlyMemory<byte> body)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(new Key(folder, block), out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                body = node.Value.Body;
                return true;
            }
        }

        body = default;
        return false;
    }

    public void Add(IMailFolder folder, BlockKey block, ReadOnlyMemory<byte> body)
    {
        if (body.Length > _largestEntry)
        {
            return;
        }

        var key = new Key(folder, block);
        lock (_gate)
        {
            if (_entries.ContainsKey(key))
            {
                return;
            }

            while (_bytes + body.Length > _capacity && _recent.Last is { } oldest)
            {
                Remove(oldest);
            }

            _entries[key] = _recent.AddFirst(new Entry(key, body));
            _bytes += body.Length;
        }
    }

    /// <summary>Drops every body (no session left to use them).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _recent.Clear();
            _bytes = 0;
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recent.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Body.Length;
    }

    private readonly record struct Key(IMailFolder Folder, BlockKey Block);

    private sealed record Entry(Key Key, ReadOnlyMemory<byte> Body);
}
