using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Journal;

/// <summary>The write half: group commit, rotation and compaction.</summary>
public sealed partial class JournalLog
{
    /// <summary>
    /// The single writer. Whatever is queued when it wakes becomes one batch: one write, one
    /// fsync, then every appender in it is told. Under load batches grow by themselves, so
    /// 32 writers cost about as many fsyncs as one (group commit).
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingAppend>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            long bytes = 0;
            while (bytes < _options.MaxBatchBytes && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                bytes += pending.Bytes;
            }

            if (Volatile.Read(ref _failure) is { } failure)
            {
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(new JournalFailedException("the journal stopped accepting writes after an I/O failure; reopen the store", failure));
                }

                continue;
            }

            try
            {
                var positions = WriteBatch(batch, bytes);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(positions[i]);
                }
            }
#pragma warning disable CA1031 // every failure must reach the appenders, whatever its type
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // fsyncgate: after a failed write or fsync nothing about this segment's unsynced
                // pages can be trusted, so stop; reopening re-reads what is really on disk.
                Volatile.Write(ref _failure, ex);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(ex);
                }
            }
        }
    }

    private JournalPosition[][] WriteBatch(List<PendingAppend> batch, long bytes)
    {
        var segment = Segments[^1];
        if (segment.Length >= _options.SegmentSizeBytes)
        {
            segment = Rotate();
        }

        var buffer = new byte[bytes];
        var positions = new JournalPosition[batch.Count][];
        var sequence = _lastSequence;
        var offset = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var records = batch[i].Records;
            positions[i] = new JournalPosition[records.Length];
            for (var r = 0; r < records.Length; r++)
            {
                var payload = records[r].Payload.Span;
                var length = RecordFormat.Overhead + payload.Length;
                RecordFormat.Write(buffer.AsSpan(offset, length), ++sequence, records[r].Kind, payload);
                positions[i][r] = new JournalPosition(sequence, segment.Id, segment.Length + offset, length);
                offset += length;
            }
        }

        try
        {
            segment.File.Write(segment.Length, buffer);
            _faults.Hit(FaultPointNames.JournalBeforeFsync);
            segment.File.Sync();
        }
        catch (IOException ex) when (ex is not InjectedFaultException && CutBackToDurableEnd(segment))
        {
            throw; // not reached: the filter only cuts back
        }

        Interlocked.Increment(ref _syncCount);
        lock (_segmentsLock)
        {
            segment.Length += bytes;
        }

        Interlocked.Exchange(ref _lastSequence, sequence);
        _faults.Hit(FaultPointNames.JournalAfterFsync);
        return positions;
    }

    /// <summary>
    /// fsyncgate (PostgreSQL, 2018): after a failed fsync the kernel marks the batch's pages clean,
    /// so they stay readable but never reach the disk. A reopen would then scan the batch as valid
    /// and append after it, and a later power cut would leave a hole there that reads as a torn
    /// tail, cutting off acknowledged records behind it. So the file is cut back to its durable
    /// end (the segment's length, which only grows after an fsync) before the journal stops.
    /// Returns false: it only acts, the failure still reaches the appenders.
    /// </summary>
    private static bool CutBackToDurableEnd(JournalSegment segment)
    {
        try
        {
            segment.File.SetLength(segment.Length);
            segment.File.Sync();
        }
        catch (IOException)
        {
            // The device is failing further; the journal stops either way.
        }

        return false;
    }

    /// <summary>Seals the active segment and starts a new one, named by the next sequence.</summary>
    private JournalSegment Rotate()
    {
        _faults.Hit(FaultPointNames.JournalBeforeRotate);
        var next = CreateSegment(_fileSystem, _directory, _lastSequence + 1);
        lock (_segmentsLock)
        {
            _segments = [.. _segments, next];
        }

        return next;
    }

    private JournalCompaction CompactSealed(List<JournalSegment> sealedSegments, long nextSegmentId, Func<JournalRecord, bool> isLive)
    {
        var first = sealedSegments[0];
        var tmpPath = first.Path + ".tmp";
        _fileSystem.Delete(tmpPath);
        var bytesBefore = sealedSegments.Sum(s => s.Length);
        var relocated = new List<JournalRecord>();
        long kept = 0, dropped = 0;

        // Everything below the next segment's id is rewritten here; on open, records at or below
        // it that a crash left in later files are leftovers of this compaction, never resurrected.
        var through = nextSegmentId - 1;
        var scanned = Scan(sealedSegments, counters: null).Select(r => (r.Segment, r.Record, Live: isLive(Project(r)))).ToList();
        if (sealedSegments.Count == 1 && scanned.All(r => r.Live))
        {
            return JournalCompaction.None; // one segment and nothing dead: rewriting it gains nothing
        }

        var output = _fileSystem.Open(tmpPath, FileOpenMode.CreateNew);
        JournalSegment? compacted = null;
        try
        {
            using var writer = new SegmentWriter(output);
            writer.WriteHeader(first.Id);
            writer.WriteRecord(0, RecordFormat.InternalKind, RecordFormat.CompactionMarker(through));
            foreach (var (segment, record, live) in scanned)
            {
                if (!live)
                {
                    dropped++;
                    continue;
                }

                var offset = writer.WriteRecord(record.Sequence, record.Kind, record.Payload);
                relocated.Add(new JournalRecord(new JournalPosition(record.Sequence, first.Id, offset, record.Length), record.Kind, record.Payload));
                kept++;
            }

            writer.Flush();
            output.Sync();
            _faults.Hit(FaultPointNames.CompactionBeforeRename);
            _fileSystem.Rename(tmpPath, first.Path);
            _fileSystem.SyncDirectory(_directory);
            compacted = new JournalSegment(first.Id, first.Path, output, output.Length);
            SwapIn(sealedSegments, compacted);
            _faults.Hit(FaultPointNames.CompactionAfterRename);
            foreach (var old in sealedSegments.Skip(1))
            {
                _fileSystem.Delete(old.Path);
            }

            _fileSystem.SyncDirectory(_directory);
            return new JournalCompaction(sealedSegments.Count, kept, dropped, bytesBefore, compacted.Length, relocated);
        }
        catch
        {
            if (compacted is null)
            {
                output.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Replaces the sealed segments with the compacted one. The old handles stay open for one
    /// more compaction, so a reader that took a snapshot just before can finish its read.
    /// </summary>
    private void SwapIn(List<JournalSegment> replaced, JournalSegment compacted)
    {
        List<JournalSegment> expired;
        lock (_segmentsLock)
        {
            var remaining = _segments.Where(s => !replaced.Contains(s));
            _segments = [compacted, .. remaining];
            expired = [.. _retired];
            _retired.Clear();
            _retired.AddRange(replaced);
        }

        foreach (var segment in expired)
        {
            segment.Dispose();
        }
    }
}
