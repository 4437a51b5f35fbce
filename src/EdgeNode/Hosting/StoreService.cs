using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// Opens the local store when the node starts, says what it found, reports its state
/// periodically and closes it cleanly on shutdown (SIGTERM from systemd).
/// </summary>
internal sealed partial class StoreService(
    NodeSettings settings,
    IFileSystem fileSystem,
    TimeProvider time,
    ILogger<StoreService> logger) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan ReportPeriod = TimeSpan.FromMinutes(5);

    private LocalStore? _store;
    private ITimer? _reportTimer;

    /// <summary>The open store (null before start).</summary>
    public LocalStore? Store => _store;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new LocalStoreOptions { Blocks = new BlockStoreOptions { QuotaBytes = settings.QuotaBytes } };
        _store = LocalStore.Open(fileSystem, settings.StoreDirectory, options);
        var report = _store.OpenReport;
        LogOpened(Path.GetFullPath(settings.StoreDirectory), report.Blocks, _store.UsedBytes, QuotaText, _store.LastSequence);
        LogJournal(report.Journal.ToString());
        if (report.IndexRebuilt)
        {
            LogIndexRebuilt(report.RecordsReplayed);
        }

        _reportTimer = time.CreateTimer(_ => Report(), null, ReportPeriod, ReportPeriod);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await DisposeAsync().ConfigureAwait(false);
        LogClosed();
    }

    public async ValueTask DisposeAsync()
    {
        if (_reportTimer is not null)
        {
            await _reportTimer.DisposeAsync().ConfigureAwait(false);
            _reportTimer = null;
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            _store = null;
        }
    }

    private string QuotaText => settings.QuotaBytes == long.MaxValue ? "unlimited" : $"{settings.QuotaBytes} bytes";

    private void Report()
    {
        if (_store is { } store)
        {
            LogState(store.Blocks.Count, store.UsedBytes, QuotaText, store.LastSequence);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "store open at {Directory}: {Blocks} blocks, {UsedBytes} bytes used, quota {Quota}, journal at sequence {Sequence}")]
    private partial void LogOpened(string directory, int blocks, long usedBytes, string quota, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "journal: {Report}")]
    private partial void LogJournal(string report);

    [LoggerMessage(Level = LogLevel.Warning, Message = "block index was missing or not trusted and was rebuilt from the journal ({Records} records replayed)")]
    private partial void LogIndexRebuilt(long records);

    [LoggerMessage(Level = LogLevel.Information, Message = "state: {Blocks} blocks, {UsedBytes} bytes used, quota {Quota}, journal at sequence {Sequence}")]
    private partial void LogState(int blocks, long usedBytes, string quota, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "store closed")]
    private partial void LogClosed();
}
