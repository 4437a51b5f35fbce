using System.Globalization;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Simulation;
using EPostEdge.Overlay.Simulation.Scenarios;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;

namespace EPostEdge.Storage.Simulation;

/// <summary>
/// The simulated disk in simulator runs (issue 5 item 3) and the storage-invariant checkers
/// (item 6). Each node gets its own <see cref="CrashModelFileSystem"/>, which outlives the node's
/// restarts as a real disk outlives its process; the node's real <see cref="LocalStore"/> is opened
/// on it at every start and the disk is crashed (SQLite's crash model) at every kill. During the
/// measured window a workload puts and deletes blocks at random live nodes.
/// Checkers: (a) after every restart and at the end, every acknowledged block reads back
/// byte-identical, or fails with <see cref="CorruptBlockException"/> only after a read bit flip was
/// injected, never with wrong bytes; (b) no acknowledged delete comes back; (c) the store opens
/// after every crash (a torn tail is truncated, not fatal).
/// </summary>
/// <remarks>
/// The simulator is single-threaded and in virtual time, while the store completes its puts from
/// the journal's writer task: each operation is run to completion before the event returns, so only
/// one is ever in flight and the disk sees the same sequence of writes in every replay.
/// </remarks>
/// <param name="seam">Test-only: wraps each node's disk seam (e.g. a disk whose fsync lies), to show the checkers can fail.</param>
public sealed class DiskScenarioExtension(Func<IFileSystem, IFileSystem>? seam = null) : IScenarioExtension
{
    /// <summary>Where each node's store lives on its own disk.</summary>
    public const string StoreDirectory = "/node/store";

    /// <summary>How long a node that lost power mid-write stays down.</summary>
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(30);

    // Small segments, so runs exercise rotation and torn tails of fresh segments too. The block
    // store keeps room free for the LiteDB index (about 220 KB once open), as the node keeps 64 MB:
    // LiteDB meeting ENOSPC in its writer hangs the store (see ScenarioDisk.CapacityBytes).
    private static readonly LocalStoreOptions StoreOptions = new()
    {
        Journal = new() { SegmentSizeBytes = 64 * 1024 },
        Blocks = new() { ReserveFreeBytes = 256 * 1024 },
    };

    private readonly Dictionary<int, NodeDisk> _disks = [];
    private SimulatedOverlay _overlay = null!;
    private ScenarioDisk _config = null!;
    private IRandomSource _random = null!;
    private Action<string> _violation = null!;
    private CrashOutcomeRates _rates;
    private TimeSpan _windowEnd;
    private bool _finished;

    private long _blocksAcknowledged;
    private long _blocksVerified;
    private long _deletesAcknowledged;
    private long _fsyncFailures;
    private long _diskFullRefusals;
    private long _corruptReadsDetected;
    private long _storageViolations;
    private long _crashes;
    private long _crashesMidWrite;
    private long _storeOpens;
    private long _tornBytesTruncated;

    /// <inheritdoc />
    public string Name => "disk";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["blocksAcknowledged"] = _blocksAcknowledged,
        ["blocksVerified"] = _blocksVerified,
        ["deletesAcknowledged"] = _deletesAcknowledged,
        ["fsyncFailures"] = _fsyncFailures,
        ["diskFullRefusals"] = _diskFullRefusals,
        ["corruptReadsDetected"] = _corruptReadsDetected,
        ["storageViolations"] = _storageViolations,
        ["diskCrashes"] = _crashes,
        ["crashesMidWrite"] = _crashesMidWrite,
        ["storeOpens"] = _storeOpens,
        ["tornBytesTruncated"] = _tornBytesTruncated,
    };

    /// <inheritdoc />
    public void Attach(SimulatedOverlay overlay, SimulationScenario scenario, IRandomSource random, Action<string> violation)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(scenario);
        _overlay = overlay;
        _config = scenario.Disk ?? new ScenarioDisk();
        _random = random;
        _violation = violation;
        _rates = new CrashOutcomeRates(_config.Keep, _config.Drop, _config.Garble);
        overlay.NodeStarted += OnNodeStarted;
        overlay.NodeKilled += OnNodeKilled;
    }

    /// <inheritdoc />
    public void OnWindowStart(TimeSpan windowEnd)
    {
        _windowEnd = windowEnd;
        var window = windowEnd - _overlay.Scheduler.Now;
        var count = (int)Math.Round(_config.BlocksPerSecond * window.TotalSeconds);
        for (var i = 0; i < count; i++)
        {
            // Drawn now, in a fixed order: the schedule is a function of the seed alone.
            var at = TimeSpan.FromTicks((long)(window.Ticks * _random.NextDouble()));
            _overlay.Scheduler.Schedule(at, Operate);
        }
    }

    /// <inheritdoc />
    public void Finish()
    {
        // A last power cut on every disk, then every acknowledged block must be there (checker a),
        // including on nodes that failed for good (correlated-60): their disks are still readable.
        foreach (var index in _disks.Keys.Order().ToList())
        {
            var disk = _disks[index];
            if (disk.Store is not null)
            {
                Crash(disk);
            }

            if (Open(disk, "at the end of the run"))
            {
                Verify(disk, "at the end of the run");
                Close(disk);
            }
        }

        _finished = true;
    }

    private void OnNodeStarted(SimulatedNode node)
    {
        if (_finished)
        {
            return;
        }

        if (!_disks.TryGetValue(node.Index, out var disk))
        {
            var crashModel = new CrashModelFileSystem(new SeededRandomSource(_random.NextUInt64())) { Capacity = _config.CapacityBytes, ReadBitFlipRate = _config.ReadBitFlipRate };
            disk = new NodeDisk(node.Index, crashModel, seam?.Invoke(crashModel) ?? crashModel);
            _disks.Add(node.Index, disk);
        }

        if (Open(disk, $"after start {node.Lives}"))
        {
            Verify(disk, $"after start {node.Lives}");
        }
    }

    private void OnNodeKilled(SimulatedNode node)
    {
        if (!_finished && _disks.TryGetValue(node.Index, out var disk) && disk.Store is not null)
        {
            Crash(disk);
        }
    }

    /// <summary>One workload operation at a random live node: a put, or a delete of one of its acknowledged blocks.</summary>
    private void Operate()
    {
        var live = _disks.Keys.Order().Where(i => _disks[i].Store is not null && _overlay.Nodes[i].IsAlive).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var disk = _disks[live[_random.NextInt32(live.Count)]];
        var delete = disk.Acknowledged.Count > 0 && _random.NextDouble() < _config.DeleteFraction;
        var failSync = _random.NextDouble() < _config.FsyncFailureRate;
        // Not in the window's last minute: the node must be back before the settle check.
        var crashMidWrite = _random.NextDouble() < _config.CrashMidWriteRate && _overlay.Scheduler.Now < _windowEnd - RestartDelay;
        disk.CrashModel.FailNextSync = failSync;
        if (crashMidWrite)
        {
            disk.Faults.Handler = name =>
            {
                if (name == FaultPointNames.JournalBeforeFsync)
                {
                    throw new InjectedFaultException(name);
                }
            };
        }

        try
        {
            if (delete)
            {
                DeleteOne(disk);
            }
            else
            {
                PutOne(disk);
            }
        }
        finally
        {
            // An operation that never reached an fsync must not leave the failure armed for the next open.
            disk.CrashModel.FailNextSync = false;
            disk.Faults.Handler = null;
        }

        if (disk.CrashedMidWrite)
        {
            disk.CrashedMidWrite = false;
            PowerCut(disk);
            return;
        }

        if (disk.Store is { } store && store.Blocks.PendingIndexUpdates < disk.PendingBefore)
        {
            // The put filled an index batch and LiteDB wrote it from its writer task: let it land.
            store.SettleIndex();
        }

        disk.PendingBefore = disk.Store?.Blocks.PendingIndexUpdates ?? 0;
    }

    private void PutOne(NodeDisk disk)
    {
        var length = _config.MinimumBlockBytes + _random.NextInt32(_config.MaximumBlockBytes - _config.MinimumBlockBytes + 1);
        var content = new byte[length];
        _random.NextBytes(content);
        disk.PendingBefore = disk.Store!.Blocks.PendingIndexUpdates;
        try
        {
            var key = Complete(disk.Store.Blocks.PutAsync(content));
            if (!key.Matches(content))
            {
                Violate(disk, $"put of {length} bytes was acknowledged under key {key}, which is not their hash");
                return;
            }

            disk.Acknowledged[key] = length;
            disk.Deleted.Remove(key);
            _blocksAcknowledged++;
        }
        catch (Exception ex) when (ex is IOException)
        {
            Refused(disk, ex, "put");
        }
#pragma warning disable CA1031 // any other failure is the finding; the run goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Unexpected(disk, ex, "put");
        }
    }

    private void DeleteOne(NodeDisk disk)
    {
        var keys = disk.Acknowledged.Keys;
        var key = keys.ElementAt(_random.NextInt32(keys.Count));
        disk.PendingBefore = disk.Store!.Blocks.PendingIndexUpdates;
        try
        {
            if (!Complete(disk.Store.Blocks.DeleteAsync(key)))
            {
                Violate(disk, $"acknowledged block {Short(key)} was not held when deleted");
            }

            disk.Acknowledged.Remove(key);
            disk.Deleted.Add(key);
            _deletesAcknowledged++;
        }
        catch (Exception ex) when (ex is IOException)
        {
            // Not acknowledged: the block may or may not be gone, so neither checker may count on it.
            disk.Acknowledged.Remove(key);
            Refused(disk, ex, "delete");
        }
#pragma warning disable CA1031 // any other failure is the finding; the run goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            disk.Acknowledged.Remove(key);
            Unexpected(disk, ex, "delete");
        }
    }

    /// <summary>Fsync failures and a full disk must surface as IOExceptions; anything else is a violation, and the store is reopened.</summary>
    private void Unexpected(NodeDisk disk, Exception ex, string what)
    {
        Violate(disk, $"{what} failed with {ex.GetType().Name}, not a clean I/O error: {ex.Message}{Flips(disk)}");
        Close(disk);
        if (Open(disk, $"after a failed {what}"))
        {
            Verify(disk, $"after a failed {what}");
        }
    }

    /// <summary>The node loses power mid-write: the overlay crashes it (which crashes its disk) and it restarts soon after.</summary>
    private void PowerCut(NodeDisk disk)
    {
        _crashesMidWrite++;
        var index = disk.Index;
        _overlay.Trace.Note(_overlay.Scheduler.Now, $"disk {index}: power cut mid-write");
        _overlay.Kill(index);
        _overlay.Scheduler.Schedule(RestartDelay, () =>
        {
            if (!_finished && !_overlay.Nodes[index].IsAlive)
            {
                _overlay.Restart(index);
            }
        });
    }

    /// <summary>A clean refusal (disk full, quota, fsync failure): counted; after an I/O failure the journal wants a reopen.</summary>
    private void Refused(NodeDisk disk, Exception ex, string what)
    {
        if (ex is InjectedFaultException)
        {
            disk.CrashedMidWrite = true; // not acknowledged; the power cut follows once the operation unwinds
            return;
        }

        if (ex is QuotaExceededException || ex.HResult == 28)
        {
            _diskFullRefusals++;
        }
        else
        {
            _fsyncFailures++;
        }

        if (ex is QuotaExceededException)
        {
            return; // refused before anything was written: the store carries on
        }

        // fsyncgate: the journal stops after a failed write or fsync and must be reopened, which
        // re-reads what the disk holds (the node's store service does the same).
        _overlay.Trace.Note(_overlay.Scheduler.Now, $"disk {disk.Index}: {what} failed ({ex.Message}); store reopened");
        Close(disk);
        if (Open(disk, $"after a failed {what}"))
        {
            Verify(disk, $"after a failed {what}");
        }
    }

    private void Crash(NodeDisk disk)
    {
        // Power off first, close the dead process's store (nothing it does now reaches the disk),
        // then the disk decides what its unsynced writes became.
        disk.Life?.Cut();
        Close(disk);
        disk.CrashModel.Crash(_rates);
        _crashes++;
    }

    /// <summary>Opens the node's store; checker (c): it must open whatever the crash left.</summary>
    private bool Open(NodeDisk disk, string when)
    {
        try
        {
            // Flips during the open's scan count too: one there must not cost an acknowledged block.
            disk.FlipsAtOpen = disk.CrashModel.ReadBitFlips;
            disk.Life = new PowerCutFileSystem(disk.FileSystem);
            disk.Store = LocalStore.Open(disk.Life, StoreDirectory, StoreOptions, disk.Faults);
            disk.Store.SettleIndex();
            disk.PendingBefore = disk.Store.Blocks.PendingIndexUpdates;
            _storeOpens++;
            _tornBytesTruncated += disk.Store.OpenReport.Journal.TruncatedBytes;
            return true;
        }
#pragma warning disable CA1031 // any failure to open is the finding, whatever its type
        catch (Exception ex)
#pragma warning restore CA1031
        {
            disk.Store = null;
            Violate(disk, $"the store did not open {when}: {ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    /// <summary>Checkers (a) and (b) over the node's whole history.</summary>
    private void Verify(NodeDisk disk, string when)
    {
        var store = disk.Store!;
        foreach (var (key, length) in disk.Acknowledged.ToList())
        {
            try
            {
                var bytes = Complete(store.Blocks.GetAsync(key));
                if (bytes is null)
                {
                    Violate(disk, $"acknowledged block {Short(key)} ({length} bytes) is missing {when}");
                }
                else if (bytes.Length != length || !key.Matches(bytes))
                {
                    Violate(disk, $"acknowledged block {Short(key)} read back {bytes.Length} wrong bytes {when}");
                }
                else
                {
                    _blocksVerified++;
                }
            }
            catch (CorruptBlockException ex) when (disk.CrashModel.ReadBitFlips > disk.FlipsAtOpen)
            {
                // A flipped bit was caught by the hash check, as it must be: a replica would be fetched.
                _corruptReadsDetected++;
                _overlay.Trace.Note(_overlay.Scheduler.Now, $"disk {disk.Index}: corrupt read detected: {ex.Message}");
            }
#pragma warning disable CA1031 // any other failure is the finding
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Violate(disk, $"reading acknowledged block {Short(key)} {when} failed: {ex.GetType().Name}: {ex.Message}{Flips(disk)}");
            }
        }

        foreach (var key in disk.Deleted)
        {
            try
            {
                if (store.Blocks.Contains(key))
                {
                    Violate(disk, $"block {Short(key)}, whose delete was acknowledged, came back {when}");
                }
            }
#pragma warning disable CA1031 // any failure is the finding
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Violate(disk, $"looking up deleted block {Short(key)} {when} failed: {ex.GetType().Name}: {ex.Message}{Flips(disk)}");
            }
        }
    }

    /// <summary>Closes the store; after a power cut that changes nothing on disk, and may fail.</summary>
    private static void Close(NodeDisk disk)
    {
        if (disk.Store is not { } store)
        {
            return;
        }

        disk.Store = null;
        try
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // a store that failed or lost its power may not close cleanly; it is gone either way
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Violate(NodeDisk disk, string what)
    {
        _storageViolations++;
        _violation($"node {disk.Index}: {what}");
    }

    private static string Flips(NodeDisk disk) =>
        disk.CrashModel.ReadBitFlips > disk.FlipsAtOpen ? $" ({disk.CrashModel.ReadBitFlips - disk.FlipsAtOpen} read bit flips injected since the store opened)" : "";

    private static string Short(BlockKey key) => key.ToString()[..12];

    private static T Complete<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    /// <summary>A node's disk, its store while the node runs, and what the checkers hold it to.</summary>
    private sealed class NodeDisk(int index, CrashModelFileSystem crashModel, IFileSystem fileSystem)
    {
        public int Index { get; } = index;

        public CrashModelFileSystem CrashModel { get; } = crashModel;

        /// <summary>The seam the store uses: the crash-model disk, or a test's wrapper around it.</summary>
        public IFileSystem FileSystem { get; } = fileSystem;

        public LocalStore? Store { get; set; }

        /// <summary>The current process life's view of the disk, cut at a crash.</summary>
        public PowerCutFileSystem? Life { get; set; }

        /// <summary>Acknowledged blocks still expected, by key (the hash of their bytes), with their lengths; sorted, so draws from it replay.</summary>
        public SortedDictionary<BlockKey, int> Acknowledged { get; } = [];

        /// <summary>Blocks whose delete was acknowledged.</summary>
        public SortedSet<BlockKey> Deleted { get; } = [];

        /// <summary>The store's fault points, where a power cut mid-write is injected.</summary>
        public FaultPoints Faults { get; } = new();

        public bool CrashedMidWrite { get; set; }

        public long FlipsAtOpen { get; set; }

        public int PendingBefore { get; set; }
    }
}
