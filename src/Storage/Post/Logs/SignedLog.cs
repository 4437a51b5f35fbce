using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Post;

/// <summary>
/// A single-writer log (POST, Mislove et al.): an owner's named, hash-chained list of
/// <see cref="LogEntry"/> blocks, whose newest entry is named by a <see cref="LogHead"/> the
/// owner signs with a version counter. Only the owner writes it; anyone holding the owner's
/// public keys can verify it (<see cref="VerifyChainAsync"/>); only the owner can read the
/// payloads.
/// </summary>
/// <remarks>
/// The log keeps no state of its own: the current head lives in the <see cref="LogHeadStore"/>
/// and the entries in the <see cref="IBlockStore"/>, so a log reopened after a restart (heads
/// replayed from the journal) continues where it stopped. It only remembers the index of the
/// newest entry it appended, so the next append need not fetch and decode that entry; when the
/// head names another entry (a new instance, another writer) it fetches it as before. Appends through one instance are
/// serialised; two writers for one log would fork it (ePOST's log merge resolves forks).
/// </remarks>
public sealed class SignedLog : IDisposable
{
    private readonly UserIdentity _owner;
    private readonly IBlockStore _blocks;
    private readonly LogHeadStore _heads;
    private readonly IRandomSource _random;
    private readonly SemaphoreSlim _appendGate = new(1, 1);

    // The newest entry this instance appended and its index; trusted only while the head names it.
    private (BlockKey Key, ulong Index)? _newest;

    private SignedLog(UserIdentity owner, string name, IBlockStore blocks, LogHeadStore heads, IRandomSource random)
    {
        _owner = owner;
        Name = name;
        _blocks = blocks;
        _heads = heads;
        _random = random;
    }

    /// <summary>The owner's public keys.</summary>
    public UserPublicKeys Owner => _owner.PublicKeys;

    /// <summary>The log's name (e.g. "INBOX").</summary>
    public string Name { get; }

    /// <summary>The current head, or null while the log is empty and has never been written.</summary>
    public LogHead? Head => _heads.TryGet(Owner.Id, Name, out var head) ? head : null;

    /// <summary>Opens <paramref name="owner"/>'s log <paramref name="name"/>; a log with no head yet is empty, and its first append creates it.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or not valid Unicode.</exception>
    public static SignedLog Open(UserIdentity owner, string name, IBlockStore blocks, LogHeadStore heads, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(random);
        _ = LogHead.SignedMessage(owner.PublicKeys, name, 0, null); // validates the name
        return new SignedLog(owner, name, blocks, heads, random);
    }

    /// <summary>
    /// Appends <paramref name="payload"/>: stores a new entry linked to the current newest one,
    /// then signs a head with version + 1 naming it and submits that head to the head store.
    /// </summary>
    /// <exception cref="LogHeadRejectedException">The head store refused the new head (e.g. another writer moved the log); the log did not move.</exception>
    /// <exception cref="LogChainException">The current newest entry, which this instance did not append, is missing or corrupt.</exception>
    public async ValueTask<LogEntry> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await _appendGate.WaitAsync(cancellationToken);
        try
        {
            var current = Head;
            ulong index = 0;
            if (current?.Newest is { } newest)
            {
                var previousIndex = _newest is { } known && known.Key == newest
                    ? known.Index
                    : (await FetchEntryAsync(_blocks, newest, cancellationToken)).Index;
                index = checked(previousIndex + 1);
            }

            var entry = LogEntry.Seal(current?.Newest, index, payload.Span, Owner, _random);
            var head = LogHead.Sign(_owner, Name, checked((current?.Version ?? 0) + 1), entry.Key);
            LogHeadRejection rejection;
            if (_heads.JournalBlocks is { } journaled && ReferenceEquals(journaled, _blocks))
            {
                // One journal batch, entry first: one fsync. The head takes effect only after
                // that fsync, and replay drops a head whose entry a crash mid-batch lost.
                rejection = await _heads.AcceptWithEntryAsync(head, entry.Encoded, cancellationToken);
            }
            else
            {
                var stored = await _blocks.PutAsync(entry.Encoded, cancellationToken);
                if (stored != entry.Key)
                {
                    throw new CorruptBlockException(entry.Key);
                }

                // POST: the entry is durable before the head that names it is published.
                rejection = await _heads.AcceptAsync(head, cancellationToken);
            }

            if (rejection != LogHeadRejection.None)
            {
                throw new LogHeadRejectedException(rejection, Name);
            }

            _newest = (entry.Key, index);
            return entry;
        }
        finally
        {
            _appendGate.Release();
        }
    }

    /// <summary>The payloads, oldest first, after verifying the head and the whole chain.</summary>
    /// <exception cref="LogChainException">The head or chain does not verify.</exception>
    /// <exception cref="SecureBlockOpenException">An entry's payload does not open for the owner.</exception>
    public async ValueTask<IReadOnlyList<byte[]>> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (Head is not { } head)
        {
            return [];
        }

        var entries = await VerifyChainAsync(head, Owner, Name, _blocks, cancellationToken);
        return [.. entries.Select(e => e.OpenPayload(_owner))];
    }

    /// <summary>
    /// Verifies a log with public keys only: the head belongs to <paramref name="owner"/> and
    /// <paramref name="logName"/> and carries the owner's valid signature; every entry is fetched
    /// from <paramref name="blocks"/>, hashes to the key that links to it, and the indices count
    /// down by one to a first entry (index 0) with no predecessor. Returns the entries oldest first
    /// (payloads still sealed).
    /// </summary>
    /// <exception cref="LogChainException">Any of that does not hold.</exception>
    public static async ValueTask<IReadOnlyList<LogEntry>> VerifyChainAsync(LogHead head, UserPublicKeys owner, string logName, IBlockStore blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(blocks);
        if (!head.Owner.Equals(owner) || !string.Equals(head.LogName, logName, StringComparison.Ordinal))
        {
            throw new LogChainException($"head is for {head.Owner.Id}/{head.LogName}, expected {owner.Id}/{logName}");
        }

        if (!head.VerifySignature())
        {
            throw new LogChainException($"head of {owner.Id}/{logName} v{head.Version}: owner's signature does not verify");
        }

        var newestFirst = new List<LogEntry>();
        var next = head.Newest;
        ulong? expectedIndex = null;
        while (next is { } key)
        {
            var entry = await FetchEntryAsync(blocks, key, cancellationToken);
            if (expectedIndex is { } expected && entry.Index != expected)
            {
                throw new LogChainException($"entry {key} has index {entry.Index}, its successor expects {expected}");
            }

            newestFirst.Add(entry);
            // Strictly decreasing indices also bound the walk (LogEntry: index 0 ⇔ no previous).
            expectedIndex = entry.Index == 0 ? null : entry.Index - 1;
            next = entry.Previous;
        }

        newestFirst.Reverse();
        return newestFirst;
    }

    /// <inheritdoc />
    public void Dispose() => _appendGate.Dispose();

    private static async ValueTask<LogEntry> FetchEntryAsync(IBlockStore blocks, BlockKey key, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await blocks.GetAsync(key, cancellationToken);
        }
        catch (CorruptBlockException e)
        {
            throw new LogChainException($"log entry {key} is corrupt in the store", e);
        }

        if (bytes is null)
        {
            throw new LogChainException($"log entry {key} is missing");
        }

        // ARCHITECTURE "every block read is verified": check the hash here too, whatever the store did.
        if (!key.Matches(bytes))
        {
            throw new LogChainException($"log entry {key} does not hash to its key");
        }

        try
        {
            return LogEntry.Decode(bytes);
        }
        catch (PostFormatException e)
        {
            throw new LogChainException($"log entry {key} is not a log entry block", e);
        }
    }
}
