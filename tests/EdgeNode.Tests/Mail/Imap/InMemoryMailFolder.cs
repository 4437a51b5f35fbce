using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>A test double of <see cref="IMailFolder"/>: snapshots under a lock, watchers called synchronously after each change.</summary>
internal sealed class InMemoryMailFolder : IMailFolder
{
    private readonly Lock _lock = new();
    private readonly Dictionary<BlockKey, byte[]> _bodies;
    private readonly List<Action> _watchers = [];
    private FolderSnapshot _snapshot;

    public InMemoryMailFolder(string name, SpecialUse specialUse, uint uidValidity, Dictionary<BlockKey, byte[]> bodies)
    {
        Name = name;
        SpecialUse = specialUse;
        _bodies = bodies;
        _snapshot = new FolderSnapshot(uidValidity, 1, 1, []);
    }

    public string Name { get; set; }

    public SpecialUse SpecialUse { get; }

    public bool Deleted { get; set; }

    public FolderSnapshot Snapshot()
    {
        lock (_lock)
        {
            return _snapshot;
        }
    }

    public Task<uint> AppendAsync(ReadOnlyMemory<byte> message, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken = default)
    {
        var key = BlockKey.Of(message.Span);
        lock (_bodies)
        {
            _bodies[key] = message.ToArray();
        }

        uint uid;
        lock (_lock)
        {
            if (Deleted)
            {
                throw new MailboxException(MailboxErrorKind.NotFound, "folder deleted");
            }

            uid = _snapshot.UidNext;
            var modSeq = _snapshot.HighestModSeq + 1;
            var summary = new MessageSummary(uid, internalDate, message.Length, flags, [.. keywords], modSeq, new MessageBodyRef(key));
            _snapshot = _snapshot with { UidNext = uid + 1, HighestModSeq = modSeq, Messages = [.. _snapshot.Messages, summary] };
        }

        Notify();
        return Task.FromResult(uid);
    }

    /// <summary>Adds a message as a delivery would (tests).</summary>
    public uint Add(string message, MessageFlags flags = MessageFlags.None, DateTimeOffset? date = null) =>
        AppendAsync(System.Text.Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n")), flags, [], date ?? new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)).Result;

    public Task<StoreResult> StoreFlagsAsync(IReadOnlyList<uint> uids, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords, ulong? unchangedSince = null, CancellationToken cancellationToken = default)
    {
        var changed = new List<MessageSummary>();
        var modified = new List<uint>();
        lock (_lock)
        {
            var wanted = uids.ToHashSet();
            var modSeq = _snapshot.HighestModSeq;
            var messages = _snapshot.Messages.ToList();
            for (var i = 0; i < messages.Count; i++)
            {
                var m = messages[i];
                if (!wanted.Contains(m.Uid))
                {
                    continue;
                }

                if (unchangedSince is { } since && m.ModSeq > since)
                {
                    modified.Add(m.Uid);
                    continue;
                }

                var newFlags = operation switch
                {
                    FlagOperation.Add => m.Flags | flags,
                    FlagOperation.Remove => m.Flags & ~flags,
                    _ => flags,
                };
                var newKeywords = operation switch
                {
                    FlagOperation.Add => m.Keywords.Union(keywords, StringComparer.OrdinalIgnoreCase).ToList(),
                    FlagOperation.Remove => m.Keywords.Except(keywords, StringComparer.OrdinalIgnoreCase).ToList(),
                    _ => keywords.ToList(),
                };
                if (newFlags == m.Flags && newKeywords.SequenceEqual(m.Keywords, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var updated = m with { Flags = newFlags, Keywords = newKeywords, ModSeq = ++modSeq };
                messages[i] = updated;
                changed.Add(updated);
            }

            _snapshot = _snapshot with { HighestModSeq = modSeq, Messages = messages };
        }

        if (changed.Count > 0)
        {
            Notify();
        }

        return Task.FromResult(new StoreResult(changed, modified));
    }

    public Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken = default)
    {
        List<uint> removed;
        lock (_lock)
        {
            var wanted = uids.ToHashSet();
            removed = _snapshot.Messages.Where(m => wanted.Contains(m.Uid)).Select(m => m.Uid).ToList();
            _snapshot = _snapshot with { HighestModSeq = _snapshot.HighestModSeq + 1, Messages = _snapshot.Messages.Where(m => !wanted.Contains(m.Uid)).ToList() };
        }

        Notify();
        return Task.FromResult<IReadOnlyList<uint>>(removed);
    }

    public async Task<CopyResult> CopyToAsync(IReadOnlyList<uint> uids, IMailFolder destination, bool move, CancellationToken cancellationToken = default)
    {
        var wanted = uids.ToHashSet();
        var sources = Snapshot().Messages.Where(m => wanted.Contains(m.Uid)).ToList();
        var source = new List<uint>();
        var target = new List<uint>();
        foreach (var m in sources)
        {
            var bytes = await ReadMessageAsync(m, cancellationToken);
            source.Add(m.Uid);
            target.Add(await destination.AppendAsync(bytes, m.Flags, m.Keywords, m.InternalDate, cancellationToken));
        }

        if (move)
        {
            await ExpungeAsync(source, cancellationToken);
        }

        return new CopyResult(destination.Snapshot().UidValidity, source, target);
    }

    public ValueTask<ReadOnlyMemory<byte>> ReadMessageAsync(MessageSummary message, CancellationToken cancellationToken = default)
    {
        lock (_bodies)
        {
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(_bodies[message.Body.Block]);
        }
    }

    public IDisposable Watch(Action changed)
    {
        lock (_watchers)
        {
            _watchers.Add(changed);
        }

        return new Unwatch(this, changed);
    }

    private void Notify()
    {
        Action[] watchers;
        lock (_watchers)
        {
            watchers = [.. _watchers];
        }

        foreach (var w in watchers)
        {
            w();
        }
    }

    private sealed class Unwatch(InMemoryMailFolder folder, Action changed) : IDisposable
    {
        public void Dispose()
        {
            lock (folder._watchers)
            {
                folder._watchers.Remove(changed);
            }
        }
    }
}
