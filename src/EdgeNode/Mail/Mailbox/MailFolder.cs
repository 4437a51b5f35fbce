using System.Collections.Concurrent;
using System.Collections.Immutable;
using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// One folder: its own signed log (named by a stable id, so RENAME moves no log) and the
/// immutable snapshot derived from it.
/// </summary>
/// <remarks>
/// Group commit: a log has one writer and each append costs a journal fsync (entry and head in one batch), so
/// concurrent changes queue here and one writer appends everything queued as ONE log entry,
/// then completes every waiter (as the journal group-commits its records). Each queued change
/// is decided against the state at commit time (UIDs, CONDSTORE checks), so the outcome is the
/// same as if they had run one by one. Bodies are stored before queueing: they are independent
/// blocks and the journal batches their fsyncs itself.
/// </remarks>
internal sealed class MailFolder : IMailFolder
{
    private const int MaxOperationsPerEntry = 512;

    private readonly UserMailbox _owner;
    private readonly SignedLog _log;
    private readonly ConcurrentQueue<Pending> _queue = new();
    private ImmutableArray<Action> _watchers = [];
    private volatile FolderSnapshot _snapshot;
    private volatile string _name;
    private volatile bool _deleted;
    private int _writing;
    private long _entries;

    private MailFolder(UserMailbox owner, string id, string name, SpecialUse specialUse, SignedLog log, FolderSnapshot snapshot)
    {
        _owner = owner;
        Id = id;
        _name = name;
        SpecialUse = specialUse;
        _log = log;
        _snapshot = snapshot;
    }

    /// <summary>The stable id that names the folder's log.</summary>
    public string Id { get; }

    public string Name => _name;

    public SpecialUse SpecialUse { get; }

    internal UserMailbox Owner => _owner;

    internal bool IsDeleted => _deleted;

    /// <summary>Log entries this instance appended (each carries a whole group commit): batch size = changes / entries.</summary>
    internal long EntriesWritten => Interlocked.Read(ref _entries);

    /// <summary>Opens the folder's log and replays it (SignedLog.ReadAsync verifies the chain once).</summary>
    public static async Task<MailFolder> OpenAsync(UserMailbox owner, string id, string name, SpecialUse specialUse, uint uidValidity, SignedLog log, CancellationToken cancellationToken)
    {
        var state = FolderState.Empty(uidValidity);
        foreach (var payload in await log.ReadAsync(cancellationToken))
        {
            foreach (var e in MailLogCodec.DecodeFolderEvents(payload))
            {
                state.Apply(e);
            }
        }

        return new MailFolder(owner, id, name, specialUse, log, state.ToSnapshot());
    }

    /// <summary>The log name of folder <paramref name="id"/>.</summary>
    public static string LogName(string id) => "folder:" + id;

    public FolderSnapshot Snapshot() => _snapshot;

    public async Task<uint> AppendAsync(ReadOnlyMemory<byte> message, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        ThrowIfDeleted();
        var body = await _owner.StoreBodyAsync(message, cancellationToken);
        return await AddAsync(new FolderEvent.MessageAdded(body, internalDate.ToUnixTimeMilliseconds(), message.Length, flags, keywords));
    }

    /// <summary>Adds a message whose body is stored already (delivery); returns its UID once durable.</summary>
    internal async Task<uint> AddAsync(FolderEvent.MessageAdded added)
    {
        var result = await EnqueueAsync((state, events) =>
        {
            events.Add(added);
            state.Apply(added);
            return state.UidNext - 1;
        });
        return (uint)result!;
    }

    public async Task<StoreResult> StoreFlagsAsync(IReadOnlyList<uint> uids, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords, ulong? unchangedSince = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        ArgumentNullException.ThrowIfNull(keywords);
        var sorted = uids.Distinct().Order().ToArray();
        var result = await EnqueueAsync((state, events) =>
        {
            var changing = new List<uint>();
            var modified = new List<uint>();
            foreach (var uid in sorted)
            {
                if (state.Find(uid) is not { } message)
                {
                    continue;
                }

                // RFC 7162 §3.1.3: a message changed since UNCHANGEDSINCE is left alone and reported.
                if (unchangedSince is { } since && message.ModSeq > since)
                {
                    modified.Add(uid);
                }
                else if (FolderState.WouldChange(message, operation, flags, keywords))
                {
                    changing.Add(uid);
                }
            }

            if (changing.Count == 0)
            {
                return new StoreResult([], modified);
            }

            var e = new FolderEvent.FlagsChanged(changing, operation, flags, keywords);
            events.Add(e);
            state.Apply(e);
            return new StoreResult([.. changing.Select(uid => state.Find(uid)!)], modified);
        });
        return (StoreResult)result!;
    }

    public async Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        var sorted = uids.Distinct().Order().ToArray();
        var result = await EnqueueAsync((state, events) =>
        {
            uint[] present = [.. sorted.Where(uid => state.Find(uid) is not null)];
            if (present.Length > 0)
            {
                var e = new FolderEvent.Expunged(present);
                events.Add(e);
                state.Apply(e);
            }

            return present;
        });
        return (uint[])result!;
    }

    public async Task<CopyResult> CopyToAsync(IReadOnlyList<uint> uids, IMailFolder destination, bool move, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (destination is not MailFolder target || target.Owner != _owner)
        {
            throw new MailboxException(MailboxErrorKind.NotAllowed, "the destination is not a folder of this user");
        }

        ThrowIfDeleted();
        target.ThrowIfDeleted();
        var wanted = uids.ToHashSet();
        var messages = _snapshot.Messages.Where(m => wanted.Contains(m.Uid)).ToArray();
        if (messages.Length == 0)
        {
            return new CopyResult(target.Snapshot().UidValidity, [], []);
        }

        var copies = messages.Select(m => new FolderEvent.CopiedIn(Id, m.Uid, move, m.Body.Block, m.InternalDate.ToUnixTimeMilliseconds(), m.Size, m.Flags, m.Keywords)).ToArray();
        var (uidValidity, destinationUids) = await target.CopyInAsync(copies);

        // RFC 6851 §3.3: the copy is durable before the source is expunged, so a crash between
        // the two logs leaves the message in both folders, never in neither.
        if (move)
        {
            await ExpungeAsync([.. messages.Select(m => m.Uid)], cancellationToken);
        }

        return new CopyResult(uidValidity, [.. messages.Select(m => m.Uid)], destinationUids);
    }

    internal async Task<(uint UidValidity, IReadOnlyList<uint> Uids)> CopyInAsync(IReadOnlyList<FolderEvent.CopiedIn> copies)
    {
        var result = await EnqueueAsync((state, events) =>
        {
            var assigned = new uint[copies.Count];
            for (var i = 0; i < copies.Count; i++)
            {
                events.Add(copies[i]);
                state.Apply(copies[i]);
                assigned[i] = state.UidNext - 1;
            }

            return (state.UidValidity, (IReadOnlyList<uint>)assigned);
        });
        return ((uint, IReadOnlyList<uint>))result!;
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReadMessageAsync(MessageSummary message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return await _owner.ReadBodyAsync(message.Body.Block, cancellationToken);
    }

    public IDisposable Watch(Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ImmutableInterlocked.Update(ref _watchers, static (list, w) => list.Add(w), changed);
        return new Watcher(this, changed);
    }

    internal void Rename(string newName) => _name = newName;

    internal void MarkDeleted()
    {
        _deleted = true;
        Notify();
    }

    private void ThrowIfDeleted()
    {
        if (_deleted)
        {
            throw new MailboxException(MailboxErrorKind.NotFound, $"folder {_name} was deleted");
        }
    }

    private Task<object?> EnqueueAsync(Func<FolderState, List<FolderEvent>, object?> decide)
    {
        ThrowIfDeleted();
        var pending = new Pending(decide);
        _queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = Task.Run(WriteLoopAsync);
        }

        return pending.Completion.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxOperationsPerEntry && _queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _writing, 0);
                // A change queued after the drain but before the flag dropped would be stranded.
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        if (_deleted)
        {
            var gone = new MailboxException(MailboxErrorKind.NotFound, $"folder {_name} was deleted");
            batch.ForEach(p => p.Completion.TrySetException(gone));
            return;
        }

        var state = FolderState.From(_snapshot);
        var events = new List<FolderEvent>();
        var decided = new List<Pending>(batch.Count);
        foreach (var pending in batch)
        {
            try
            {
                pending.Result = pending.Decide(state, events);
                decided.Add(pending);
            }
            catch (Exception e)
            {
                pending.Completion.TrySetException(e);
            }
        }

        if (events.Count > 0)
        {
            try
            {
                await _owner.AppendAsync(_log, MailLogCodec.EncodeFolderEvents(events));
            }
            catch (Exception e)
            {
                // Nothing of this batch is published: the snapshot stays as it was.
                var error = MailStore.Translate(e);
                decided.ForEach(p => p.Completion.TrySetException(error));
                return;
            }

            _snapshot = state.ToSnapshot();
            Interlocked.Increment(ref _entries);
        }

        decided.ForEach(p => p.Completion.TrySetResult(p.Result));
        if (events.Count > 0)
        {
            Notify();
        }
    }

    private void Notify()
    {
        foreach (var watcher in _watchers)
        {
            // IMAP IDLE: never call back under the writer; a slow session must not stall commits.
            ThreadPool.QueueUserWorkItem(static w => Call(w), watcher, preferLocal: false);
        }
    }

    private static void Call(Action watcher)
    {
        try
        {
            watcher();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A session's callback failing (e.g. its connection just closed) must not take the
            // node down: an exception on a thread-pool work item ends the process.
        }
    }

    private sealed class Pending(Func<FolderState, List<FolderEvent>, object?> decide)
    {
        public Func<FolderState, List<FolderEvent>, object?> Decide { get; } = decide;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object? Result { get; set; }
    }

    private sealed class Watcher(MailFolder folder, Action changed) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref folder._watchers, static (list, w) => list.Remove(w), changed);
    }
}
