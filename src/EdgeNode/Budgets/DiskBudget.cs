using System.Globalization;

namespace EPostEdge.EdgeNode.Budgets;

/// <summary>
/// The store's disk against its budget: near full when the local store has used
/// Budget:DiskNearFullPercent of Store:Quota, or when the file system holding the data folder is
/// that full (counting the free space the store always keeps in reserve as used, since the store
/// will not write into it) and also has less than Budget:DiskNearFullFree left: 5 % of a 4 TB
/// disk is 200 GB, far more than mail needs, while 5 % of an SD card is little. Then new mail
/// gets 452 4.3.1 and no new replicas are taken in, well before a write meets the quota or
/// ENOSPC; it lifts 3 points lower (hysteresis; for the free-space bound, 3 % of the file
/// system above it). Thread-safe.
/// </summary>
public sealed class DiskBudget
{
    /// <summary>A sample younger than this is reused (MAIL commands ask on every transaction).</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Points below <see cref="NearFullPercent"/> at which near-full lifts.</summary>
    public const int Hysteresis = 3;

    private readonly IVolumes _volumes;
    private readonly string _directory;
    private readonly long _reserveBytes;
    private readonly long _nearFullFreeBytes;
    private readonly Func<(long Used, long Quota)?> _store;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _sampledAt;
    private volatile bool _sampled;
    private volatile string? _refusal;

    /// <param name="nearFullPercent">Budget:DiskNearFullPercent (100 turns the file-system check off).</param>
    /// <param name="nearFullFreeBytes">Budget:DiskNearFullFree: the file system is near full only with less than this usable (0: the percent alone).</param>
    /// <param name="reserveBytes">Free space the store never writes into (BlockStoreOptions.ReserveFreeBytes).</param>
    /// <param name="volumes">The seam that measures file systems.</param>
    /// <param name="directory">The data folder.</param>
    /// <param name="store">The local store's bytes used and quota (long.MaxValue: none); null while it is not open.</param>
    /// <param name="time">The clock.</param>
    public DiskBudget(int nearFullPercent, long nearFullFreeBytes, long reserveBytes, IVolumes volumes, string directory, Func<(long Used, long Quota)?> store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        NearFullPercent = nearFullPercent;
        _nearFullFreeBytes = nearFullFreeBytes;
        _reserveBytes = reserveBytes;
        _volumes = volumes;
        _directory = directory;
        _store = store;
        _time = time;
    }

    /// <summary>Raised (outside the lock) when the disk becomes near full (true, with the reason) or no longer is (false).</summary>
    public event Action<bool, string>? Changed;

    /// <summary>Budget:DiskNearFullPercent.</summary>
    public int NearFullPercent { get; }

    /// <summary>Whether new mail and new replicas are refused now.</summary>
    public bool IsNearFull => _refusal is not null;

    /// <summary>The last file-system figures.</summary>
    public VolumeSpace LastVolume { get; private set; }

    /// <summary>Why new data must be refused now ("disk near full: …"), or null; samples when the last sample is stale.</summary>
    public string? Refusal()
    {
        if (!_sampled || _time.GetElapsedTime(Volatile.Read(ref _sampledAt)) >= SampleInterval)
        {
            Tick();
        }

        return _refusal;
    }

    /// <summary>Measures now and updates the state.</summary>
    public void Tick()
    {
        (bool NearFull, string Reason)? change = null;
        lock (_gate)
        {
            var (percent, what) = Fullness();
            Volatile.Write(ref _sampledAt, _time.GetTimestamp());
            _sampled = true;
            if (_refusal is null && percent >= NearFullPercent)
            {
                _refusal = $"disk near full ({what})";
                change = (true, _refusal);
            }
            else if (_refusal is not null && percent < NearFullPercent - Hysteresis)
            {
                _refusal = null;
                change = (false, what);
            }
        }

        if (change is { } c)
        {
            Changed?.Invoke(c.NearFull, c.Reason);
        }
    }

    /// <summary>The fuller of store-against-quota and file system, in percent, with words for it.</summary>
    private (double Percent, string What) Fullness()
    {
        var store = 0.0;
        var storeText = string.Empty;
        if (_store() is { Quota: > 0 and < long.MaxValue } s)
        {
            store = 100.0 * s.Used / s.Quota;
            storeText = string.Create(CultureInfo.InvariantCulture, $"store {store:0.#} % of its {Mebibytes(s.Quota)} MiB quota");
        }

        var volume = 0.0;
        var volumeText = string.Empty;
        if (NearFullPercent < 100)
        {
            try
            {
                var space = _volumes.Measure(_directory);
                LastVolume = space;
                if (space.TotalBytes > 0)
                {
                    // The store keeps _reserveBytes free whatever happens: that part is as good as used.
                    var usable = Math.Max(0, space.AvailableBytes - _reserveBytes);
                    var freeBound = _refusal is null ? _nearFullFreeBytes : _nearFullFreeBytes + (space.TotalBytes * Hysteresis / 100);
                    volume = _nearFullFreeBytes > 0 && usable >= freeBound ? 0 : 100.0 * (space.TotalBytes - usable) / space.TotalBytes;
                    volumeText = string.Create(CultureInfo.InvariantCulture, $"file system {volume:0.#} % used, {Mebibytes(space.AvailableBytes)} MiB free");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // A folder that vanished is the store's failure to report, not a reason to refuse mail.
            }
        }

        return store >= volume ? (store, storeText) : (volume, volumeText);
    }

    private static long Mebibytes(long bytes) => bytes / (1024 * 1024);
}
