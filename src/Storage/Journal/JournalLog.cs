using System.Threading.Channels;
using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Journal;

/// <summary>
/// The crash-safe journal: the node's local source of truth (ARCHITECTURE.md "Durability
/// contract"). Append-only segment files of checksummed, sequence-numbered records; an append
/// completes only after its fsync, and concurrent appends share one write and one fsync (group
/// commit). Opening never fails on damage: a torn tail is cut off, bit rot in sealed segments
/// is skipped and counted.
/// </summary>
public sealed partial class JournalLog : IAsyncDisposable
{
    /// <summary>Bytes a record takes on disk beyond its payload.</summary>
    public const int RecordOverheadBytes = RecordFormat.Overhead;

    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly JournalOptions _options;
    private readonly FaultPoints _faults;
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _segmentsLock = new();
    private readonly Lock _compactionLock = new();
    private readonly List<JournalSegment> _retired = [];
    private readonly Task _writer;
    private IReadOnlyList<JournalSegment> _segments;
    private long _lastSequence;
    private long _syncCount;
    private Exception? _failure;

    private JournalLog(IFileSystem fileSystem, string directory, JournalOptions options, FaultPoints faults, List<JournalSegment> segments, long lastSequence, JournalOpenReport report)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        _options = options;
        _faults = faults;
        _segments = segments;
        _lastSequence = lastSequence;
        OpenReport = report;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>What open found.</summary>
    public JournalOpenReport OpenReport { get; }

    /// <summary>Highest sequence durably written.</summary>
    public long LastSequence => Interlocked.Read(ref _lastSequence);

    /// <summary>fsyncs of appended batches so far (group commit makes this smaller than the record count).</summary>
    public long SyncCount => Interlocked.Read(ref _syncCount);

    /// <summary>Bytes on disk across all segments.</summary>
    public long TotalBytes => Segments.Sum(s => s.Length);

    /// <summary>Number of segment files.</summary>
    public int SegmentCount => Segments.Count;

    private IReadOnlyList<JournalSegment> Segments
    {
        get
        {
            lock (_segmentsLock)
            {
                return _segments;
            }
        }
    }

    /// <summary>
    /// Appends one record and completes once it is on stable storage, with its position.
    /// The payload is not copied: leave its bytes unchanged until the append completes.
    /// </summary>
    /// <exception cref="JournalFailedException">An earlier write or fsync failed; reopen the journal.</exception>
    public ValueTask<JournalPosition> AppendAsync(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (kind == RecordFormat.InternalKind)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), "record kind 0 is reserved for the journal itself");
        }

        if (payload.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentException($"record of {payload.Length} bytes is larger than the limit of {_options.MaxRecordBytes}", nameof(payload));
        }

        // Cancellation only stops the wait: once queued, the record may still become durable.
        var pending = Enqueue([(kind, payload)]);
        return new ValueTask<JournalPosition>(ElementAsync(pending.Completion.Task.WaitAsync(cancellationToken), 0));
    }

    /// <summary>
    /// Appends two records in this order in ONE batch (one write, one fsync) and completes once
    /// both are on stable storage. Replay sees the first at a lower sequence than the second;
    /// after a crash before the fsync either, both or neither may be there (a torn record can
    /// be skipped), so a reader of the second must check for the first.
    /// </summary>
    /// <exception cref="JournalFailedException">An earlier write or fsync failed; reopen the journal.</exception>
    public ValueTask<JournalPosition[]> AppendPairAsync(byte firstKind, ReadOnlyMemory<byte> first, byte secondKind, ReadOnlyMemory<byte> second, CancellationToken cancellationToken = default)
    {
        var pending = Enqueue([(firstKind, first), (secondKind, second)]);
        return new ValueTask<JournalPosition[]>(pending.Completion.Task.WaitAsync(cancellationToken));
    }

    private static async Task<JournalPosition> ElementAsync(Task<JournalPosition[]> positions, int index) =>
        (await positions.ConfigureAwait(false))[index];

    private PendingAppend Enqueue((byte Kind, ReadOnlyMemory<byte> Payload)[] records)
    {
        foreach (var (kind, payload) in records)
        {
            if (kind == RecordFormat.InternalKind)
            {
                throw new ArgumentOutOfRangeException(nameof(records), "record kind 0 is reserved for the journal itself");
            }

            if (payload.Length > _options.MaxRecordBytes)
            {
                throw new ArgumentException($"record of {payload.Length} bytes is larger than the limit of {_options.MaxRecordBytes}", nameof(records));
            }
        }

        ThrowIfFailed();
        var pending = new PendingAppend(records);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(JournalLog));
        }

        return pending;
    }

    /// <summary>Reads the record at <paramref name="position"/>, verifying its checksum, sequence and length.</summary>
    /// <exception cref="JournalCorruptException">The bytes there are damaged or are another record.</exception>
    public JournalRecord Read(JournalPosition position)
    {
        var segment = Segments.FirstOrDefault(s => s.Id == position.SegmentId)
            ?? throw new JournalCorruptException($"segment {position.SegmentId} of record {position.Sequence} is not in the journal");
        if (position.Length < RecordFormat.Overhead || position.Offset + position.Length > segment.Length)
        {
            throw new JournalCorruptException($"record {position.Sequence} lies outside segment {position.SegmentId}");
        }

        var buffer = new byte[position.Length];
        if (segment.File.Read(position.Offset, buffer) < buffer.Length
            || !RecordFormat.TryVerify(buffer, out var sequence, out var kind)
            || sequence != position.Sequence)
        {
            throw new JournalCorruptException($"record {position.Sequence} in segment {position.SegmentId} at {position.Offset} failed verification");
        }

        return new JournalRecord(position, kind, buffer.AsMemory(RecordFormat.RecordHeaderSize, buffer.Length - RecordFormat.Overhead));
    }

    /// <summary>Every durable record, in ascending sequence order, verified.</summary>
    public IEnumerable<JournalRecord> ReadAll() => Scan(Segments, counters: null).Select(Project);

    /// <summary>
    /// Rewrites every sealed segment (all but the one being appended to) into one, keeping the
    /// records <paramref name="isLive"/> says are live under their original sequence numbers.
    /// Appends go on meanwhile. Crash-safe at every step: see <see cref="FaultPointNames"/>.
    /// </summary>
    public JournalCompaction Compact(Func<JournalRecord, bool> isLive)
    {
        ArgumentNullException.ThrowIfNull(isLive);
        lock (_compactionLock)
        {
            ThrowIfFailed();
            var snapshot = Segments;
            if (snapshot.Count < 2)
            {
                return JournalCompaction.None;
            }

            return CompactSealed(snapshot.Take(snapshot.Count - 1).ToList(), snapshot[^1].Id, isLive);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        lock (_segmentsLock)
        {
            foreach (var segment in _segments.Concat(_retired))
            {
                segment.Dispose();
            }

            _segments = [];
            _retired.Clear();
        }
    }

    private static JournalRecord Project((JournalSegment Segment, FramedRecord Record) item) =>
        new(new JournalPosition(item.Record.Sequence, item.Segment.Id, item.Record.Offset, item.Record.Length), item.Record.Kind, item.Record.Payload);

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new JournalFailedException("the journal stopped accepting writes after an I/O failure; reopen the store", failure);
        }
    }

    // One append: its records go into the same batch, contiguous and in order.
    private sealed class PendingAppend((byte Kind, ReadOnlyMemory<byte> Payload)[] records)
    {
        public (byte Kind, ReadOnlyMemory<byte> Payload)[] Records { get; } = records;

        public long Bytes => Records.Sum(r => (long)RecordFormat.Overhead + r.Payload.Length);

        public TaskCompletionSource<JournalPosition[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
