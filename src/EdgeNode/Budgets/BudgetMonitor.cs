using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.Storage.Blocks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Budgets;

/// <summary>
/// The node's budgets while it runs: memory (<see cref="MemoryBudget"/>) and disk
/// (<see cref="DiskBudget"/>), looked at every <see cref="Period"/> (every
/// <see cref="SheddingPeriod"/> while shedding, to collect and lift promptly) and on demand by
/// the mail protocols (<see cref="IAdmissionGate"/>) and the held store. Says what changed in
/// the log, and what holds in status.json (<see cref="Status"/>).
/// </summary>
internal sealed partial class BudgetMonitor : IHostedService, IAsyncDisposable, IAdmissionGate
{
    /// <summary>The calm period: cheap (two small /proc reads and one statvfs).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>The period while memory is shed.</summary>
    public static readonly TimeSpan SheddingPeriod = TimeSpan.FromMilliseconds(250);

    private readonly string? _profile;
    private readonly TimeProvider _time;
    private readonly ILogger<BudgetMonitor> _logger;
    private readonly Lock _timerGate = new();
    private ITimer? _timer;
    private TimeSpan _period;

    public BudgetMonitor(NodeConfiguration configuration, NodeSettings settings, StoreService store, IProcessMemory memory, IVolumes volumes, TimeProvider time, ILogger<BudgetMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        var budget = configuration.Budget;
        _profile = configuration.ProfileName;
        _time = time;
        _logger = logger;
        Memory = new MemoryBudget(budget.MemoryBudgetBytes, budget.MemoryShedPercent, budget.MemoryResumePercent, memory, time);
        Disk = new DiskBudget(
            budget.DiskNearFullPercent,
            budget.DiskNearFullFreeBytes,
            new BlockStoreOptions().ReserveFreeBytes,
            volumes,
            settings.DataDirectory,
            () => store.Store is { } local ? (local.UsedBytes, settings.QuotaBytes) : null,
            time);
        Memory.Changed += OnMemoryChanged;
        Disk.Changed += OnDiskChanged;
    }

    /// <summary>The memory budget.</summary>
    public MemoryBudget Memory { get; }

    /// <summary>The disk budget.</summary>
    public DiskBudget Disk { get; }

    /// <summary>Whether the disk is near full now (sampled when stale): the held store takes in nothing new.</summary>
    public bool DiskNearFull => Disk.Refusal() is not null;

    /// <inheritdoc />
    public string? RefuseConnection() => Memory.Refusal();

    /// <inheritdoc />
    public string? RefuseNewMail() => Disk.Refusal() ?? Memory.Refusal();

    /// <summary>The budgets for status.json and the health rules.</summary>
    public BudgetStatus Status()
    {
        var sample = Memory.Last;
        return new BudgetStatus(_profile, Memory.BudgetBytes, sample.RssBytes, sample.PeakRssBytes, Memory.IsShedding, Disk.IsNearFull)
        {
            GcHeapLimitBytes = sample.HeapLimitBytes,
        };
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Tick();
        lock (_timerGate)
        {
            _period = Period;
            _timer = _time.CreateTimer(_ => Tick(), null, Period, Period);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        ITimer? timer;
        lock (_timerGate)
        {
            timer = _timer;
            _timer = null;
        }

        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One look at both budgets (the timer's callback).</summary>
    internal void Tick()
    {
        Memory.Tick();
        Disk.Tick();
        var wanted = Memory.IsShedding ? SheddingPeriod : Period;
        lock (_timerGate)
        {
            if (_timer is { } timer && wanted != _period)
            {
                _period = wanted;
                timer.Change(wanted, wanted);
            }
        }
    }

    private void OnMemoryChanged(bool shedding, string reason)
    {
        if (shedding)
        {
            LogShedding(reason);
        }
        else
        {
            LogMemoryBack(reason, Memory.Collections);
        }
    }

    private void OnDiskChanged(bool nearFull, string reason)
    {
        if (nearFull)
        {
            LogDiskNearFull(reason);
        }
        else
        {
            LogDiskBack(reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "shedding load: {Reason}; new connections get 421 4.3.2 / BYE and MAIL 452 4.3.1 until it falls back")]
    private partial void LogShedding(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "memory back under the resume mark ({What}, {Collections} forced collections so far): taking new work again")]
    private partial void LogMemoryBack(string what, int collections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}: MAIL gets 452 4.3.1 and no new replicas are taken in until space returns")]
    private partial void LogDiskNearFull(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "disk no longer near full ({What}): taking new mail and replicas again")]
    private partial void LogDiskBack(string what);
}
