namespace EPostEdge.Storage.Post;

/// <summary>
/// The newest accepted <see cref="LogHead"/> per (owner, log name). A head is taken only if the
/// owner's signature verifies and its version is higher than the held one (POST: versioned,
/// signed heads; DhtFlex/Etna: a reader never sees an older head after a newer one was
/// acknowledged). Thread-safe.
/// </summary>
/// <remarks>
/// Persistence: a persistent store writes each accepted head through the append callback (the
/// local store makes it a journal record of kind <c>StoreRecordKinds.LogHead</c>) before the
/// head becomes visible, and at startup <see cref="Replay"/> rebuilds the map from those
/// records under the same accept rule, so a stale record can never downgrade a head whatever
/// order the journal holds them in. <see cref="IsCurrent"/> lets compaction keep only current heads.
/// </remarks>
public sealed class LogHeadStore : IDisposable
{
    private readonly Func<ReadOnlyMemory<byte>, ValueTask>? _append;
    private readonly Dictionary<(UserId Owner, string LogName), LogHead> _heads = [];
    private readonly Lock _lock = new();

    // Serialise AcceptAsync per log, so the journal's order of one log's accepted heads is the
    // order they took effect (replay's rule is per log too). Different logs' heads are written
    // concurrently, so their journal appends share one group-commit fsync instead of queueing.
    private readonly Dictionary<(UserId Owner, string LogName), WriteGate> _writeGates = [];

    /// <summary>An in-memory store (tests, caches of remote heads): nothing is persisted.</summary>
    public LogHeadStore()
    {
    }

    /// <summary>A persistent store: <paramref name="append"/> must make an accepted head's encoding durable before it returns.</summary>
    public LogHeadStore(Func<ReadOnlyMemory<byte>, ValueTask> append)
    {
        ArgumentNullException.ThrowIfNull(append);
        _append = append;
    }

    /// <summary>
    /// The block store of the journal this store writes its heads to (set by the local store):
    /// <see cref="SignedLog"/> then journals a new entry and its head in one batch.
    /// </summary>
    internal Blocks.BlockStore? JournalBlocks { get; set; }

    /// <summary>Number of logs with a held head.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _heads.Count;
            }
        }
    }

    /// <summary>The held head of <paramref name="owner"/>'s log <paramref name="logName"/>, if any.</summary>
    public bool TryGet(UserId owner, string logName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LogHead? head)
    {
        lock (_lock)
        {
            return _heads.TryGetValue((owner, logName), out head);
        }
    }

    /// <summary>All held heads (a snapshot).</summary>
    public IReadOnlyList<LogHead> Snapshot()
    {
        lock (_lock)
        {
            return [.. _heads.Values];
        }
    }

    /// <summary>
    /// Offers <paramref name="head"/> to an in-memory store. True when it is now held
    /// (<paramref name="reason"/> is <see cref="LogHeadRejection.None"/>, or
    /// <see cref="LogHeadRejection.Duplicate"/> when it already was); false with the reason otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">This store is persistent: use <see cref="AcceptAsync"/>, which journals the head before it is acknowledged.</exception>
    public bool TryAccept(LogHead head, out LogHeadRejection reason)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (_append is not null)
        {
            throw new InvalidOperationException("a persistent LogHeadStore accepts heads through AcceptAsync, so each head is journaled before it is acknowledged");
        }

        reason = head.VerifySignature() ? Install(head) : LogHeadRejection.BadSignature;
        return reason is LogHeadRejection.None or LogHeadRejection.Duplicate;
    }

    /// <summary>
    /// Offers <paramref name="head"/>: verifies it, persists it through the append callback (if
    /// any), then makes it the held head. Returns <see cref="LogHeadRejection.None"/> when
    /// accepted, <see cref="LogHeadRejection.Duplicate"/> when already held (nothing written),
    /// otherwise why it was refused (nothing written).
    /// </summary>
    public ValueTask<LogHeadRejection> AcceptAsync(LogHead head, CancellationToken cancellationToken = default) =>
        AcceptAsync(head, _append, cancellationToken);

    /// <summary>
    /// Like <see cref="AcceptAsync(LogHead, CancellationToken)"/>, but stores <paramref name="entry"/>
    /// (the entry block the head names) in <see cref="JournalBlocks"/> and journals the head right
    /// after it in the same batch: one fsync instead of two. Nothing is written when the head is refused.
    /// </summary>
    internal ValueTask<LogHeadRejection> AcceptWithEntryAsync(LogHead head, ReadOnlyMemory<byte> entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(head);
        var blocks = JournalBlocks ?? throw new InvalidOperationException("this head store does not journal through a block store");
        return AcceptAsync(
            head,
            async encoded =>
            {
                var stored = await blocks.PutWithFollowerAsync(entry, Blocks.StoreRecordKinds.LogHeadAfterEntry, encoded, CancellationToken.None).ConfigureAwait(false);
                if (stored != head.Newest)
                {
                    throw new Blocks.CorruptBlockException(stored);
                }
            },
            cancellationToken);
    }

    private async ValueTask<LogHeadRejection> AcceptAsync(LogHead head, Func<ReadOnlyMemory<byte>, ValueTask>? persist, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (!head.VerifySignature())
        {
            return LogHeadRejection.BadSignature;
        }

        var log = (head.Owner.Id, head.LogName);
        var gate = await EnterAsync(log, cancellationToken);
        try
        {
            LogHeadRejection precheck;
            lock (_lock)
            {
                precheck = Decide(Held(head), head);
            }

            if (precheck != LogHeadRejection.None)
            {
                return precheck;
            }

            if (persist is not null)
            {
                await persist(head.Encode());
            }

            // Compare-and-set again: Replay may have installed a newer head meanwhile. The
            // journaled record is then merely stale, and replay's rule ignores it.
            return Install(head);
        }
        finally
        {
            Exit(log, gate);
        }
    }

    /// <summary>
    /// Applies one journal record at startup under the same rule as <see cref="AcceptAsync"/>
    /// (signature, then version), without writing anything. Returns what became of it.
    /// </summary>
    public LogHeadRejection Replay(ReadOnlySpan<byte> recordPayload)
    {
        if (!LogHead.TryDecode(recordPayload, out var head))
        {
            return LogHeadRejection.Malformed;
        }

        return head.VerifySignature() ? Install(head) : LogHeadRejection.BadSignature;
    }

    /// <summary>
    /// Replays a head journaled in one batch after its entry (<see cref="AcceptWithEntryAsync"/>):
    /// taken only if <paramref name="isHeld"/> says that entry survived, since a crash before the
    /// batch's fsync may keep the head's record and skip the entry's torn one.
    /// </summary>
    internal LogHeadRejection ReplayAfterEntry(ReadOnlySpan<byte> recordPayload, Func<Blocks.BlockKey, bool> isHeld)
    {
        if (!LogHead.TryDecode(recordPayload, out var head))
        {
            return LogHeadRejection.Malformed;
        }

        if (head.Newest is { } entry && !isHeld(entry))
        {
            return LogHeadRejection.EntryMissing;
        }

        return head.VerifySignature() ? Install(head) : LogHeadRejection.BadSignature;
    }

    /// <summary>Whether the journal record <paramref name="recordPayload"/> encodes exactly the head now held for its log (compaction keeps those, drops the rest).</summary>
    public bool IsCurrent(ReadOnlySpan<byte> recordPayload)
    {
        if (!LogHead.TryDecode(recordPayload, out var head))
        {
            return false;
        }

        lock (_lock)
        {
            return Held(head) is { } held && held.HasSameContent(head) && held.Signature.SequenceEqual(head.Signature);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var gate in _writeGates.Values)
            {
                gate.Semaphore.Dispose();
            }

            _writeGates.Clear();
        }
    }

    private async ValueTask<WriteGate> EnterAsync((UserId Owner, string LogName) log, CancellationToken cancellationToken)
    {
        WriteGate? gate;
        lock (_lock)
        {
            if (!_writeGates.TryGetValue(log, out gate))
            {
                gate = new WriteGate();
                _writeGates[log] = gate;
            }

            gate.Users++;
        }

        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken);
            return gate;
        }
        catch
        {
            Forget(log, gate);
            throw;
        }
    }

    private void Exit((UserId Owner, string LogName) log, WriteGate gate)
    {
        gate.Semaphore.Release();
        Forget(log, gate);
    }

    // A gate nobody holds or waits for is dropped, so the map stays as small as the logs being written.
    private void Forget((UserId Owner, string LogName) log, WriteGate gate)
    {
        lock (_lock)
        {
            if (--gate.Users == 0)
            {
                _writeGates.Remove(log);
                gate.Semaphore.Dispose();
            }
        }
    }

    // The caller has verified the signature.
    private LogHeadRejection Install(LogHead head)
    {
        lock (_lock)
        {
            var reason = Decide(Held(head), head);
            if (reason == LogHeadRejection.None)
            {
                _heads[(head.Owner.Id, head.LogName)] = head;
            }

            return reason;
        }
    }

    private sealed class WriteGate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private LogHead? Held(LogHead head) => _heads.GetValueOrDefault((head.Owner.Id, head.LogName));

    // POST: a head replaces the held one only with a strictly higher version; the same version
    // is a retry if identical, and a fork (two signed heads) if not.
    private static LogHeadRejection Decide(LogHead? held, LogHead offered)
    {
        if (held is null || offered.Version > held.Version)
        {
            return LogHeadRejection.None;
        }

        if (offered.Version < held.Version)
        {
            return LogHeadRejection.StaleVersion;
        }

        return held.HasSameContent(offered) ? LogHeadRejection.Duplicate : LogHeadRejection.ConflictingVersion;
    }
}
