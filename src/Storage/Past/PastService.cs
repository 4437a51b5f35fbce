using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;

namespace EPostEdge.Storage.Past;

/// <summary>
/// A node's part of the distributed store, over the common KBR API: PAST replicas of immutable
/// blocks on the k nodes closest to each key, Glacier fragments of every object on n further nodes,
/// versioned log heads with majority writes and reads (DhtFlex), and leases that count this node's
/// own renewal epochs.
/// </summary>
/// <remarks>
/// Threading follows Scribe: every public method and timer callback runs through
/// <see cref="IKeyBasedRouting.Execute"/> and the KBR upcalls already run on the node's logical
/// thread, so the state needs no lock. A request's answer completes its task inside an upcall (or a
/// timeout inside Execute), and the awaiting code continues inline there, on that thread again.
/// Only the held store's disk writes may complete elsewhere; code after them re-enters Execute.
/// </remarks>
public sealed partial class PastService : IKbrApplication, IDisposable
{
    /// <summary>The storage protocol's application id on the KBR layer.</summary>
    public const ushort ApplicationId = 3;

    // Fetch request flags (in Status).
    private const byte FetchDirect = 1; // answer from what you hold; do not ask your replica set
    private const byte FetchProbe = 2; // presence only: no bytes

    private readonly IKeyBasedRouting _kbr;
    private readonly IHeldStore _held;
    private readonly NodeIdentity _identity;
    private readonly IRandomSource _random;
    private readonly PastOptions _options;
    private readonly Dictionary<ulong, PendingRequest> _pending = [];
    private readonly SortedDictionary<BlockKey, OwnedObject> _owned = [];
    private readonly ITimer _epochTimer;
    private readonly ITimer _maintenanceTimer;
    private readonly ITimer _auditTimer;
    private readonly ITimer _soonTimer;
    private ulong _nextRequest;
    private bool _maintenanceScheduled;
    private bool _disposed;

    /// <summary>Registers with <paramref name="kbr"/> and starts the epoch, maintenance and audit timers.</summary>
    /// <param name="kbr">The overlay node.</param>
    /// <param name="held">This node's contributed storage.</param>
    /// <param name="identity">Signs the Glacier manifests of objects this node encodes.</param>
    /// <param name="random">Jitter, Bloom salts and fragment order (seeded in the simulator).</param>
    /// <param name="options">Replication settings.</param>
    public PastService(IKeyBasedRouting kbr, IHeldStore held, NodeIdentity identity, IRandomSource random, PastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kbr);
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(random);
        _kbr = kbr;
        _held = held;
        _identity = identity;
        _random = random;
        _options = options ?? new PastOptions();
        _options.Validate();
        // The epoch counter is not stored: after a restart it resumes at the latest epoch any held
        // lease was granted in (expiry − lease length), so a lease may outlast its count by the
        // downtime, never fall short of it.
        Epoch = Math.Max(0, new[] { HeldKind.Replica, HeldKind.Fragment, HeldKind.Head, HeldKind.Pointer }
            .SelectMany(held.Items).Select(i => i.LeaseExpiresAt - _options.LeaseEpochs).DefaultIfEmpty(0).Max());
        _kbr.Register(ApplicationId, this);
        _kbr.LeafSetChanged += OnLeafSetChanged;
        // Timers start at a random phase so that n holders' audits and maintenance rounds spread out.
        _epochTimer = _kbr.Time.CreateTimer(_ => OnTimer(AdvanceEpoch), null, _options.EpochLength, _options.EpochLength);
        _maintenanceTimer = _kbr.Time.CreateTimer(_ => OnTimer(Maintain), null, Jitter(_options.MaintenanceInterval), _options.MaintenanceInterval);
        _auditTimer = _kbr.Time.CreateTimer(_ => OnTimer(Audit), null, Jitter(_options.AuditInterval), _options.AuditInterval);
        _soonTimer = _kbr.Time.CreateTimer(_ => OnTimer(MaintainSoon), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>What this service did.</summary>
    public PastCounters Counters { get; } = new();

    /// <summary>This node's lease epoch: advanced every <see cref="PastOptions.EpochLength"/> of its own clock.</summary>
    public long Epoch { get; private set; }

    /// <summary>The settings.</summary>
    public PastOptions Options => _options;

    private NodeHandle Local => _kbr.LocalNode;

    /// <summary>Durability accounting of this node's own objects and of what it holds for others.</summary>
    public DurabilityReport Durability()
    {
        DurabilityReport report = default;
        _kbr.Execute(() =>
        {
            var live = _owned.Values.Where(o => !o.Released).ToList();
            var below = live.Count(o => o.ReplicasConfirmed < _options.Replicas || (_options.Glacier && !InGlacier(o)));
            report = new DurabilityReport(live.Count, below, _held.Count, _held.UsedBytes, _held.CapacityBytes, Epoch, _held.Items(HeldKind.Replica).Count);
        });
        return report;
    }

    /// <summary>
    /// All n fragments confirmed (of its aggregate, for a small object), and for a small object all
    /// its pointers too: a reader that knows only its key finds it in Glacier through them.
    /// </summary>
    private bool InGlacier(OwnedObject owned) =>
        owned.FragmentsConfirmed >= _options.Fragments && (owned.Aggregate is null || owned.PointersConfirmed >= _options.PointerCopies);

    /// <summary>The objects this node owns (a copy), for status and tests.</summary>
    public IReadOnlyList<OwnedObject> Owned()
    {
        IReadOnlyList<OwnedObject> owned = [];
        _kbr.Execute(() => owned = _owned.Values.ToList());
        return owned;
    }

    /// <inheritdoc />
    public void Deliver(NodeId key, KbrMessage message)
    {
        if (_disposed)
        {
            return;
        }

        if (!PastMessage.TryDecode(message.Payload, out var decoded))
        {
            Counters.Malformed++;
            return;
        }

        switch (decoded.Kind)
        {
            case PastMessageKind.InsertAck or PastMessageKind.StoreAck or PastMessageKind.FetchReply
                or PastMessageKind.HeadWriteAck or PastMessageKind.HeadReadReply:
                Answered(decoded);
                break;
            case PastMessageKind.Insert:
                Observe(OnInsertAsync(decoded, message.Source));
                break;
            case PastMessageKind.Store:
                Observe(OnStoreAsync(decoded, message.Source));
                break;
            case PastMessageKind.Fetch:
                Observe(OnFetchAsync(decoded, message.Source));
                break;
            case PastMessageKind.Sync:
                Observe(OnSyncAsync(decoded, message.Source));
                break;
            case PastMessageKind.Renew:
                Observe(OnRenewAsync(decoded, message.Source));
                break;
            case PastMessageKind.HeadWrite:
                Observe(OnHeadWriteAsync(decoded, message.Source));
                break;
            case PastMessageKind.HeadRead:
                Observe(OnHeadReadAsync(decoded, message.Source));
                break;
            default:
                Counters.Malformed++;
                break;
        }
    }

    /// <inheritdoc />
    public bool Forward(NodeId key, ref KbrMessage message, ref NodeHandle nextHop) => true;

    /// <summary>Stops the timers and fails every pending request; a killed or stopped node's service ends here.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _kbr.LeafSetChanged -= OnLeafSetChanged;
        _epochTimer.Dispose();
        _maintenanceTimer.Dispose();
        _auditTimer.Dispose();
        _soonTimer.Dispose();
        _sealTimer?.Dispose();
        ReleaseWindow();
        foreach (var pending in _pending.Values.ToList())
        {
            pending.Timer?.Dispose();
            pending.Completion.TrySetResult(null);
        }

        _pending.Clear();
    }

    /// <summary>Sends a request and waits for its answer, retrying; null when none came.</summary>
    /// <param name="message">The request (its request id is filled in).</param>
    /// <param name="to">The node to send it to, or null to route it to <paramref name="routeKey"/>.</param>
    /// <param name="routeKey">Where a routed request goes.</param>
    private async Task<PastMessage?> RequestAsync(PastMessage message, NodeHandle? to, NodeId routeKey)
    {
        // Timeouts nest: a root answers a coordinated request (insert, head write and read, replica
        // renewal and fetch) only after asking its replica set, two tries of RequestTimeout each, in
        // parallel; so the requester waits three RequestTimeouts per try, not one, or it would give
        // up (and send again) while the root is still collecting answers under load.
        var coordinated = to is null && (message.Kind is PastMessageKind.Insert or PastMessageKind.HeadWrite or PastMessageKind.HeadRead
            || (message.Kind is PastMessageKind.Renew or PastMessageKind.Fetch && message.Held is HeldKind.Replica or HeldKind.Head && (message.Status & FetchDirect) == 0));
        var timeout = coordinated ? _options.RequestTimeout * 3 : _options.RequestTimeout;
        var attempts = to is null || to.Id == Local.Id ? _options.Retries + 1 : Math.Min(2, _options.Retries + 1);
        for (var attempt = 0; attempt < attempts && !_disposed; attempt++)
        {
            var id = ++_nextRequest;
            var pending = new PendingRequest();
            _pending[id] = pending;
            pending.Timer = _kbr.Time.CreateTimer(_ => _kbr.Execute(() => Expire(id)), null, timeout, Timeout.InfiniteTimeSpan);
            var bytes = (message with { Request = id }).Encode();
            if (to is null)
            {
                _kbr.Route(routeKey, ApplicationId, bytes);
            }
            else if (to.Id == Local.Id)
            {
                Deliver(Local.Id, new KbrMessage(Local, ApplicationId, bytes, 0));
            }
            else
            {
                _kbr.Send(to, ApplicationId, bytes);
            }

            var answer = await pending.Completion.Task;
            if (answer is not null)
            {
                return answer;
            }
        }

        return null;
    }

    private void Expire(ulong id)
    {
        if (_pending.Remove(id, out var pending))
        {
            pending.Timer?.Dispose();
            pending.Completion.TrySetResult(null);
        }
    }

    private void Answered(PastMessage answer)
    {
        if (_pending.Remove(answer.Request, out var pending))
        {
            pending.Timer?.Dispose();
            pending.Completion.TrySetResult(answer);
        }
    }

    private void Reply(NodeHandle to, PastMessage answer)
    {
        if (_disposed)
        {
            return;
        }

        if (to.Id == Local.Id)
        {
            Answered(answer);
        }
        else
        {
            _kbr.Send(to, ApplicationId, answer.Encode());
        }
    }

    /// <summary>Runs a timer's work on the node's thread; a timer of a disposed service does nothing.</summary>
    private void OnTimer(Action action) => _kbr.Execute(() =>
    {
        if (!_disposed)
        {
            try
            {
                action();
            }
#pragma warning disable CA1031 // a failed round is counted and reported; the node goes on
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Failed(ex);
            }
        }
    });

    /// <summary>Handlers run as tasks nobody awaits: their exceptions are counted, never lost or thrown at the overlay.</summary>
    private void Observe(Task task)
    {
        if (task.IsCompleted)
        {
            if (task.IsFaulted)
            {
                Failed(task.Exception!.GetBaseException());
            }

            return;
        }

        task.ContinueWith(t => _kbr.Execute(() => Failed(t.Exception!.GetBaseException())), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Failed(Exception ex)
    {
        Counters.Errors++;
        Counters.LastError = ex.ToString();
    }

    private TimeSpan Jitter(TimeSpan period) => TimeSpan.FromTicks((long)(period.Ticks * (0.5 + (0.5 * _random.NextDouble()))));

    private void OnLeafSetChanged(LeafSetChange change)
    {
        if (!_disposed && !_maintenanceScheduled)
        {
            _maintenanceScheduled = true;
            _soonTimer.Change(_options.MaintenanceDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void MaintainSoon()
    {
        _maintenanceScheduled = false;
        Maintain();
    }

    /// <summary>
    /// The lease a copy made from <paramref name="item"/> may carry: what is left of it here, less one
    /// epoch, because the other node's epochs tick at another phase. Copies of copies can then never
    /// outlive the original, so released objects run out however often maintenance re-copies them.
    /// 0 when the item is in its last epoch here: it is not copied any more.
    /// </summary>
    private uint RemainingLease(HeldItem item) => (uint)Math.Clamp(item.LeaseExpiresAt - Epoch - 1, 0, int.MaxValue);

    /// <summary>Continues the awaiting code inside <see cref="IKeyBasedRouting.Execute"/>: after a held-store write, which may complete on any thread.</summary>
    private NodeThread OnNodeThread() => new(_kbr);

    /// <summary>The awaitable of <see cref="OnNodeThread"/>. Already on the node's thread (the simulator, or a write that completed at once), Execute re-enters and runs the continuation inline.</summary>
    private readonly struct NodeThread(IKeyBasedRouting kbr) : System.Runtime.CompilerServices.INotifyCompletion
    {
        public bool IsCompleted => false;

        public NodeThread GetAwaiter() => this;

        public void OnCompleted(Action continuation) => kbr.Execute(continuation);

        public void GetResult()
        {
        }
    }

    private sealed class PendingRequest
    {
        public TaskCompletionSource<PastMessage?> Completion { get; } = new();

        public ITimer? Timer { get; set; }
    }
}
