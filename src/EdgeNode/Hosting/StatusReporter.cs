using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Hosting;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// Rewrites DATA/run/status.json every few seconds while the node runs, for <c>epost-edge
/// status</c> (which cannot open the store then: the node holds it). Removed on clean stop.
/// </summary>
internal sealed class StatusReporter(
    NodeSettings settings,
    StoreService store,
    IFileSystem fileSystem,
    TimeProvider time,
    IMailRuntime? mail = null,
    MailListener? listener = null,
    OverlayService? overlay = null,
    Nat.PortMappingService? nat = null,
    Func<Health.HealthMonitor>? health = null,
    Budgets.BudgetMonitor? budgets = null) : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    private readonly Lock _writing = new();
    private DateTimeOffset _startedAt;
    private ITimer? _timer;

    // The block count, and the journal sequence it was taken at. Counting is a full scan of
    // LiteDB's collection (and flushes the pending batch): done every 2 s it allocated ~1 MiB/s
    // on an idle 10 000-message node, kept LiteDB's page cache hot and the heap growing between
    // collections (issue 3, idle RSS). Blocks change only by journal records: recount on a new
    // sequence only. Under _writing.
    private (long Sequence, int Blocks)? _counted;

    // The failure reported to the health loop while the data folder refuses this file (under _writing).
    private string? _writeFailure;

    public string Directory => Path.Combine(settings.DataDirectory, "run");

    public string FilePath => Path.Combine(Directory, "status.json");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _startedAt = time.GetUtcNow();
        fileSystem.CreateDirectory(Directory);
        Write();
        _timer = time.CreateTimer(_ => WriteQuietly(), null, Period, Period);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await DisposeAsync().ConfigureAwait(false);
        fileSystem.Delete(FilePath);
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
            _timer = null;
        }
    }

    /// <summary>The current state, as written to the file.</summary>
    public NodeStatus Snapshot()
    {
        var local = store.Store;

        // The RSS figure of issue 3 (idle node with 10 000 messages): how much of it is managed.
        var gc = GC.GetGCMemoryInfo();
        return new NodeStatus
        {
            Running = true,
            DataDirectory = Path.GetFullPath(settings.DataDirectory),
            Pid = Environment.ProcessId,
            StartedAt = _startedAt,
            UpdatedAt = time.GetUtcNow(),
            Health = health?.Invoke().Current is { } report ? new Health.HealthSummary(report.Condition, report.Reasons) : null,
            Blocks = local is null ? null : CountBlocks(local),
            UsedBytes = local?.UsedBytes,
            QuotaBytes = settings.QuotaBytes == long.MaxValue ? null : settings.QuotaBytes,
            JournalSequence = local?.LastSequence,
            Mail = mail?.Status(),
            Listening = listener?.Listening.Select(e => new ListeningPort(e.Handler.Name, e.Address.ToString(), e.Port, e.ImplicitTls)).ToList() ?? [],
            ManagedHeapBytes = gc.HeapSizeBytes,
            GcCommittedBytes = gc.TotalCommittedBytes,
            Threads = ThreadPool.ThreadCount,
            Overlay = overlay?.Status(),
            Durability = overlay?.Durability(),
            Nat = nat?.Status(),
            Budget = budgets?.Status(),
        };
    }

    private int CountBlocks(Storage.Local.LocalStore local)
    {
        lock (_writing)
        {
            var sequence = local.LastSequence;
            if (_counted is not { } counted || counted.Sequence != sequence)
            {
                counted = (sequence, local.Blocks.Count);
                _counted = counted;
            }

            return counted.Blocks;
        }
    }

    private void WriteQuietly()
    {
        try
        {
            Write();
            WriteFailed(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full or read-only disk must not stop the node over a status file; the next tick
            // retries. But a data folder that refuses a small write every 2 s (file system full,
            // remounted read-only after disk errors, a dying SD card) cannot take mail either: the
            // node is failed until a write works again (LEDs red, no systemd WATCHDOG=1).
            WriteFailed($"the data folder refuses writes: {ex.Message}");
        }
    }

    private void WriteFailed(string? reason)
    {
        lock (_writing)
        {
            if (reason == _writeFailure || health is null)
            {
                return;
            }

            var monitor = health();
            if (_writeFailure is not null)
            {
                monitor.ClearFailure(_writeFailure);
            }

            _writeFailure = reason;
            if (reason is not null)
            {
                monitor.ReportFailure(reason);
            }
        }
    }

    /// <summary>Writes the file now (also called after changes); temp + rename so a reader never sees half of it.</summary>
    public void Write()
    {
        lock (_writing)
        {
            var temporary = FilePath + ".tmp";
            fileSystem.Delete(temporary);
            using (var file = fileSystem.Open(temporary, FileOpenMode.CreateNew))
            {
                file.Write(0, NodeStatusJson.Render(Snapshot()));
            }

            // No fsync: the file describes this run only and is rewritten in seconds.
            fileSystem.Rename(temporary, FilePath);
        }
    }
}
