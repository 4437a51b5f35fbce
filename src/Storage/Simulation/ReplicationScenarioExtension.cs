using System.Globalization;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Simulation;
using EPostEdge.Overlay.Simulation.Scenarios;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;
using EPostEdge.Storage.Past;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Simulation;

/// <summary>
/// Replicated storage in simulator runs (issue 6): every node runs a real <see cref="PastService"/>
/// on an in-memory held store that outlives its restarts (as its disk would), and a workload inserts
/// objects, reads them back, releases some and writes and reads log heads.
/// Checkers: (a) a read never returns wrong bytes; (b) every acknowledged, unreleased object is read
/// back when the scenario says so (<see cref="ScenarioStorage.ReadAllAt"/>) and at the end (no
/// acknowledged object is lost); (c) no head read returns an older version than one acknowledged
/// before the read began; (d) at the end every live object is back at k replicas and n fragments on
/// live nodes, and released objects were collected; (e) no service hit an unexpected exception.
/// Figures: the storage overhead factor (bytes held overlay-wide ÷ logical bytes) before a correlated
/// failure and at the end, reads served, objects restored from fragments.
/// </summary>
public sealed class ReplicationScenarioExtension : IScenarioExtension
{
    // Each read-all sweep retries a miss this often, this far apart: a read racing a node's death
    // may time out once; a lost object stays lost.
    private const int ReadAttempts = 3;
    private static readonly TimeSpan ReadRetry = TimeSpan.FromSeconds(20);

    private readonly Dictionary<int, MemoryHeldStore> _stores = [];
    private readonly Dictionary<int, PastService> _services = [];
    private readonly SortedDictionary<BlockKey, byte[]> _acknowledged = [];
    private readonly HashSet<BlockKey> _released = [];
    private readonly List<LogState> _logs = [];
    private SimulatedOverlay _overlay = null!;
    private ScenarioStorage _config = null!;
    private SimulationScenario _scenario = null!;
    private IRandomSource _random = null!;
    private Action<string> _violation = null!;
    private PastOptions _options = null!;
    private TimeSpan _windowStart;
    private bool _finished;

    private long _inserts;
    private long _insertsAcknowledged;
    private long _reads;
    private long _readsServed;
    private long _readsMissed;
    private long _headWrites;
    private long _headWritesAcknowledged;
    private long _headReads;
    private long _headReadsServed;
    private long _violations;
    private long _unreadable;
    private double _overheadBefore = double.NaN;
    private double _overheadAfter = double.NaN;
    private long _fullyRedundant;
    private long _belowRedundancy;
    private long _garbageLeft;
    private long _liveCollected;
    private readonly SortedDictionary<string, double> _overheadByKind = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Name => "storage";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            var counters = _services.Values.Select(s => s.Counters).ToList();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["objectsInserted"] = _inserts,
                ["objectsAcknowledged"] = _insertsAcknowledged,
                ["objectReads"] = _reads,
                ["objectReadsServed"] = _readsServed,
                ["objectReadsMissed"] = _readsMissed,
                ["objectsUnreadable"] = _unreadable,
                ["headWrites"] = _headWrites,
                ["headWritesAcknowledged"] = _headWritesAcknowledged,
                ["headReads"] = _headReads,
                ["headReadsServed"] = _headReadsServed,
                ["objectsFullyRedundant"] = _fullyRedundant,
                ["objectsBelowRedundancy"] = _belowRedundancy,
                ["releasedItemsLeft"] = _garbageLeft,
                ["liveItemsCollected"] = _liveCollected,
                ["storageViolations"] = _violations,
                ["fragmentDecodes"] = _decodes + counters.Sum(c => c.Decodes),
                ["itemsRestored"] = _restored + counters.Sum(c => c.Restored),
                ["corruptRejected"] = counters.Sum(c => c.CorruptRejected),
                ["objectsStoodIn"] = _stoodIn + counters.Sum(c => c.StoodIn),
            };
            if (!double.IsNaN(_overheadBefore))
            {
                metrics["overheadBeforeFailure"] = _overheadBefore;
            }

            foreach (var (kind, factor) in _overheadByKind)
            {
                metrics["overhead" + kind] = factor;
            }

            if (!double.IsNaN(_overheadAfter))
            {
                metrics["overheadAtEnd"] = _overheadAfter;
            }

            return metrics;
        }
    }

    // Counters of services that were disposed (killed nodes) are kept here so the figures cover the run.
    private long _decodes;
    private long _restored;
    private long _stoodIn;

    /// <inheritdoc />
    public void Attach(SimulatedOverlay overlay, SimulationScenario scenario, IRandomSource random, Action<string> violation)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(scenario);
        _overlay = overlay;
        _scenario = scenario;
        _config = scenario.Storage ?? new ScenarioStorage();
        _random = random;
        _violation = violation;
        _options = new PastOptions
        {
            Replicas = _config.Replicas,
            Fragments = _config.Fragments,
            FragmentsNeeded = _config.FragmentsNeeded,
            EpochLength = _config.EpochLength,
            LeaseEpochs = _config.LeaseEpochs,
            RenewEvery = _config.RenewEvery,
            AuditInterval = _config.AuditInterval,
            MaintenanceInterval = _config.MaintenanceInterval,
        };
        overlay.NodeStarted += OnNodeStarted;
        overlay.NodeKilled += OnNodeKilled;
    }

    /// <inheritdoc />
    public void OnWindowStart(TimeSpan windowEnd)
    {
        _windowStart = _overlay.Scheduler.Now;
        var window = windowEnd - _windowStart;
        var spread = _config.WriteSpread < window ? _config.WriteSpread : window;
        for (var i = 0; i < _config.SmallObjects + _config.LargeObjects; i++)
        {
            var size = i < _config.SmallObjects ? _config.SmallBytes : _config.LargeBytes;
            _overlay.Scheduler.Schedule(Within(spread), () => Insert(size));
        }

        ScheduleRate(_config.ReadsPerSecond, window, ReadRandom);
        if (_config.ReadAllAt is { } readAll && readAll < window)
        {
            _overlay.Scheduler.Schedule(readAll, () => ReadAll("after " + readAll.ToString("c", CultureInfo.InvariantCulture)));
        }

        if (_config.ReleaseFraction > 0 && _config.ReleaseAt < window)
        {
            _overlay.Scheduler.Schedule(_config.ReleaseAt, Release);
        }

        for (var i = 0; i < _config.Logs; i++)
        {
            _logs.Add(new LogState(UserIdentity.Create(_random), $"folder-{i}", _random.NextInt32(_overlay.Nodes.Count)));
        }

        if (_logs.Count > 0)
        {
            ScheduleRate(_config.HeadWritesPerSecond, window, WriteHead);
            ScheduleRate(_config.HeadReadsPerSecond, window, ReadHead);
        }

        if (_scenario.CorrelatedFailure is { } failure && failure.At > TimeSpan.FromSeconds(1) && failure.At < window)
        {
            _overlay.Scheduler.Schedule(failure.At - TimeSpan.FromSeconds(1), () => _overheadBefore = Overhead());
        }

        // The last sweep, while the scheduler still runs: every acknowledged object must come back.
        if (_config.RequireReadable && window > TimeSpan.FromMinutes(2))
        {
            _overlay.Scheduler.Schedule(window - TimeSpan.FromMinutes(1.5), () => ReadAll("at the end of the window"));
        }
    }

    /// <inheritdoc />
    public void Finish()
    {
        _finished = true;
        _overheadAfter = Overhead();
        var live = LiveStores();
        foreach (var (key, content) in _acknowledged)
        {
            var released = _released.Contains(key);
            var replicas = live.Count(s => s.Find(HeldKind.Replica, key) is not null);
            int fragments;
            var pointers = 0;
            var expected = _options.Replicas;
            if (content.Length < _options.AggregateBelow)
            {
                // Small: pointers at its own fragment keys lead to the aggregate's fragments.
                pointers = Enumerable.Range(0, _options.PointerCopies).Count(i => live.Any(s => s.Find(HeldKind.Pointer, FragmentKeys.Of(key, i)) is not null));
                var aggregate = AggregateOf(live, key);
                fragments = aggregate is { } a ? Enumerable.Range(0, _options.Fragments).Count(i => live.Any(s => s.Find(HeldKind.Fragment, FragmentKeys.Of(a, i)) is not null)) : 0;
            }
            else
            {
                fragments = Enumerable.Range(0, _options.Fragments).Count(i => live.Any(s => s.Find(HeldKind.Fragment, FragmentKeys.Of(key, i)) is not null));
            }

            if (released)
            {
                // An aggregate lives on while it has live members: only what is the object's own counts.
                _garbageLeft += replicas + pointers + (content.Length < _options.AggregateBelow ? 0 : fragments);
                continue;
            }

            var small = content.Length < _options.AggregateBelow;
            if (replicas >= expected && fragments == _options.Fragments && (!small || pointers == _options.PointerCopies))
            {
                _fullyRedundant++;
            }
            else
            {
                _belowRedundancy++;
                if (_config.RequireRestored)
                {
                    Violate($"object {Short(key)} ({content.Length} bytes) ended with {replicas} replicas, {fragments} fragments{(small ? $" of its aggregate and {pointers} pointers" : "")} on live nodes (want {expected}, {_options.Fragments}{(small ? $" and {_options.PointerCopies}" : "")})");
                }
            }

            if (replicas + fragments == 0)
            {
                _liveCollected++;
            }
        }

        if (_config.ReleaseFraction > 0 && _garbageLeft > 0 && _config.LeaseEpochs * _config.EpochLength * 2 < _overlay.Scheduler.Now - _windowStart - _config.ReleaseAt)
        {
            Violate($"{_garbageLeft} replicas and fragments of released objects were not collected, {(_overlay.Scheduler.Now - _windowStart - _config.ReleaseAt).TotalSeconds:0} s after the release (leases of {_config.LeaseEpochs} × {_config.EpochLength.TotalSeconds:0} s)");
        }

        foreach (var (index, service) in _services)
        {
            if (service.Counters.Errors > 0)
            {
                Violate($"node {index}'s storage service had {service.Counters.Errors} unexpected errors, the last: {service.Counters.LastError}");
            }
        }
    }

    private void OnNodeStarted(SimulatedNode node)
    {
        if (_finished || node.Node is null)
        {
            return;
        }

        if (!_stores.TryGetValue(node.Index, out var store))
        {
            store = new MemoryHeldStore(_config.CapacityBytes);
            _stores.Add(node.Index, store);
        }

        _services[node.Index] = new PastService(node.Node, store, node.Identity, new SeededRandomSource(_random.NextUInt64()), _options);
    }

    private void OnNodeKilled(SimulatedNode node)
    {
        if (_services.Remove(node.Index, out var service))
        {
            _decodes += service.Counters.Decodes;
            _restored += service.Counters.Restored;
            _stoodIn += service.Counters.StoodIn;
            if (service.Counters.Errors > 0)
            {
                Violate($"node {node.Index}'s storage service had {service.Counters.Errors} unexpected errors, the last: {service.Counters.LastError}");
            }

            service.Dispose();
        }
    }

    private void Insert(int size)
    {
        var home = _random.NextInt32(Math.Min(_config.Homes, _overlay.Nodes.Count));
        var at = _services.TryGetValue(home, out var homeService) && _overlay.Nodes[home].IsJoined ? (home, homeService) : LiveService();
        if (at is null)
        {
            return;
        }

        var content = new byte[size];
        _random.NextBytes(content);
        _inserts++;
        Then(at.Value.Item2.InsertAsync(content, "user"), outcome =>
        {
            if (outcome.Acknowledged)
            {
                _insertsAcknowledged++;
                _acknowledged[outcome.Key] = content;
            }
        });
    }

    private void ReadRandom()
    {
        var candidates = _acknowledged.Keys.Where(k => !_released.Contains(k)).ToList();
        if (candidates.Count == 0 || LiveService() is not { } at)
        {
            return;
        }

        var key = candidates[_random.NextInt32(candidates.Count)];
        _reads++;
        Then(at.Service.ReadAsync(key), bytes => Check(key, bytes, null));
    }

    /// <summary>Reads every acknowledged object once; a miss is retried twice, then it is a violation (the object is lost).</summary>
    private void ReadAll(string when)
    {
        foreach (var key in _acknowledged.Keys.Where(k => !_released.Contains(k)).ToList())
        {
            ReadUntilFound(key, when, ReadAttempts);
        }
    }

    private void ReadUntilFound(BlockKey key, string when, int attemptsLeft)
    {
        if (_finished || LiveService() is not { } at)
        {
            return;
        }

        _reads++;
        Then(at.Service.ReadAsync(key), bytes =>
        {
            if (bytes is null && attemptsLeft > 1)
            {
                _readsMissed++;
                _overlay.Scheduler.Schedule(ReadRetry, () => ReadUntilFound(key, when, attemptsLeft - 1));
                return;
            }

            Check(key, bytes, when);
        });
    }

    private void Check(BlockKey key, byte[]? bytes, string? mustRead)
    {
        if (bytes is null)
        {
            _readsMissed++;
            if (mustRead is not null)
            {
                _unreadable++;
                Violate($"acknowledged object {Short(key)} could not be read {mustRead} ({ReadAttempts} attempts, {ReadRetry.TotalSeconds:0} s apart)");
            }

            return;
        }

        if (!bytes.AsSpan().SequenceEqual(_acknowledged[key]))
        {
            Violate($"a read of {Short(key)} returned {bytes.Length} bytes that are not the object");
            return;
        }

        _readsServed++;
    }

    private void Release()
    {
        foreach (var key in _acknowledged.Keys.ToList())
        {
            if (_random.NextDouble() < _config.ReleaseFraction)
            {
                _released.Add(key);
                foreach (var service in _services.Values)
                {
                    service.Release(key);
                }
            }
        }
    }

    private void WriteHead()
    {
        var log = _logs[_random.NextInt32(_logs.Count)];
        if (!_services.TryGetValue(log.Home, out var service) || !_overlay.Nodes[log.Home].IsJoined)
        {
            return;
        }

        var version = ++log.NextVersion;
        var head = LogHead.Sign(log.Owner, log.Name, version, BlockKey.Of(BitConverter.GetBytes(version)));
        _headWrites++;
        Then(service.WriteHeadAsync(head), outcome =>
        {
            if (outcome.Acknowledged)
            {
                _headWritesAcknowledged++;
                log.Acknowledged = Math.Max(log.Acknowledged, version);
            }
        });
    }

    private void ReadHead()
    {
        var log = _logs[_random.NextInt32(_logs.Count)];
        if (LiveService() is not { } at)
        {
            return;
        }

        var floor = log.Acknowledged;
        _headReads++;
        Then(at.Service.ReadHeadAsync(log.Owner.PublicKeys, log.Name), head =>
        {
            if (head is null)
            {
                return;
            }

            _headReadsServed++;
            if (head.Version < floor)
            {
                Violate($"a read of log {log.Name}'s head at node {at.Index} returned version {head.Version} after version {floor} was acknowledged");
            }
        });
    }

    /// <summary>Bytes held on live nodes ÷ logical bytes of the live (unreleased) acknowledged objects; also per held kind.</summary>
    private double Overhead()
    {
        var logical = _acknowledged.Where(p => !_released.Contains(p.Key)).Sum(p => (double)p.Value.Length);
        if (logical == 0)
        {
            return double.NaN;
        }

        var live = LiveStores();
        foreach (var kind in new[] { HeldKind.Replica, HeldKind.Fragment, HeldKind.Pointer })
        {
            _overheadByKind[kind + "s"] = live.Sum(s => s.Items(kind).Sum(i => (double)i.Length)) / logical;
        }

        return live.Sum(s => (double)s.UsedBytes) / logical;
    }

    /// <summary>The aggregate a small object's surviving pointers name (the simulator reads the stores directly).</summary>
    private BlockKey? AggregateOf(List<MemoryHeldStore> live, BlockKey key)
    {
        for (var i = 0; i < _options.PointerCopies; i++)
        {
            var pointerKey = FragmentKeys.Of(key, i);
            foreach (var store in live)
            {
                if (store.ReadAsync(HeldKind.Pointer, pointerKey).Result is { } bytes && GlacierPointer.TryOpen(bytes, pointerKey, out var pointer))
                {
                    return pointer.AggregateKey;
                }
            }
        }

        return null;
    }

    private List<MemoryHeldStore> LiveStores() =>
        _stores.Where(p => _overlay.Nodes[p.Key].IsAlive).OrderBy(p => p.Key).Select(p => p.Value).ToList();

    private (int Index, PastService Service)? LiveService()
    {
        var live = _services.Keys.Order().Where(i => _overlay.Nodes[i].IsJoined).ToList();
        if (live.Count == 0)
        {
            return null;
        }

        var index = live[_random.NextInt32(live.Count)];
        return (index, _services[index]);
    }

    private void ScheduleRate(double perSecond, TimeSpan window, Action action)
    {
        var count = (int)Math.Round(perSecond * window.TotalSeconds);
        for (var i = 0; i < count; i++)
        {
            _overlay.Scheduler.Schedule(Within(window), action);
        }
    }

    private TimeSpan Within(TimeSpan span) => TimeSpan.FromTicks((long)(span.Ticks * _random.NextDouble()));

    /// <summary>
    /// Runs <paramref name="then"/> when the task completes. In the simulator every completion happens
    /// inside a scheduler event on its one thread, so this runs there, in a replayable order.
    /// </summary>
    private void Then<T>(Task<T> task, Action<T> then)
    {
        task.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    then(t.Result);
                }
                else if (t.Exception is { } ex)
                {
                    Violate("a storage operation failed: " + ex.GetBaseException().Message);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Violate(string what)
    {
        _violations++;
        _violation(what);
    }

    private static string Short(BlockKey key) => key.ToString()[..12];

    private sealed class LogState(UserIdentity owner, string name, int home)
    {
        public UserIdentity Owner { get; } = owner;

        public string Name { get; } = name;

        public int Home { get; } = home;

        public ulong NextVersion { get; set; }

        public ulong Acknowledged { get; set; }
    }
}
