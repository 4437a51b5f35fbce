using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Journal;

/// <summary>Opening and scanning: the recovery half of the journal.</summary>
public sealed partial class JournalLog
{
    /// <summary>
    /// Opens the journal in <paramref name="directory"/> (creating it if needed). Never throws on
    /// damaged contents: the torn tail of the last segment is truncated, damaged records in sealed
    /// segments are skipped and counted in <see cref="OpenReport"/>. When
    /// <paramref name="onRecord"/> is given, every valid record is handed to it, in order, during
    /// the scan that verifies them: callers rebuild their state in the same single pass.
    /// </summary>
    public static JournalLog Open(IFileSystem fileSystem, string directory, JournalOptions? options = null, FaultPoints? faults = null, Action<JournalRecord>? onRecord = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        options ??= new JournalOptions();
        faults ??= new FaultPoints();
        fileSystem.CreateDirectory(directory);

        var segments = new List<JournalSegment>();
        try
        {
            foreach (var name in fileSystem.List(directory))
            {
                if (name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    fileSystem.Delete(Path.Combine(directory, name)); // an interrupted compaction's output
                }
                else if (RecordFormat.TryParseSegmentFileName(name, out var id))
                {
                    var path = Path.Combine(directory, name);
                    var file = fileSystem.Open(path, FileOpenMode.OpenExisting);
                    segments.Add(new JournalSegment(id, path, file, file.Length));
                }
            }

            var counters = new ScanCounters();
            long records = 0;
            foreach (var item in Scan(segments, counters))
            {
                onRecord?.Invoke(Project(item));
                records++;
            }

            long truncated = 0;
            if (segments.Count == 0)
            {
                segments.Add(CreateSegment(fileSystem, directory, counters.LastSequence + 1));
            }
            else
            {
                truncated = RepairTail(segments[^1], counters);
            }

            var report = new JournalOpenReport(segments.Count, records, truncated, counters.CorruptRecords, counters.CorruptSegments, counters.LeftoverRecords);
            return new JournalLog(fileSystem, directory, options, faults, segments, counters.LastSequence, report);
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Cuts the last segment back to its last good record, and rewrites its header if that was
    /// torn (the header is written and synced before any record, so only a fresh segment can
    /// have a torn header).
    /// </summary>
    private static long RepairTail(JournalSegment last, ScanCounters counters)
    {
        var validEnd = counters.ValidEnd.GetValueOrDefault(last.Id, RecordFormat.SegmentHeaderSize);
        var fileLength = last.File.Length;
        Span<byte> header = stackalloc byte[RecordFormat.SegmentHeaderSize];
        var headerRead = last.File.Read(0, header);
        var headerOk = headerRead == header.Length && RecordFormat.IsValidSegmentHeader(header, last.Id);
        if (validEnd == fileLength && headerOk)
        {
            return 0;
        }

        if (!headerOk)
        {
            RecordFormat.WriteSegmentHeader(header, last.Id);
            last.File.Write(0, header);
        }

        last.File.SetLength(validEnd);
        last.File.Sync();
        last.Length = validEnd;
        return Math.Max(0, fileLength - validEnd);
    }

    /// <summary>False for a handle that died with its disk (a simulated power cut): its process no longer runs, so it must not clean up.</summary>
    private static bool IsOpen(IFileHandle file)
    {
        try
        {
            _ = file.Length;
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static JournalSegment CreateSegment(IFileSystem fileSystem, string directory, long id)
    {
        var path = Path.Combine(directory, RecordFormat.SegmentFileName(id));
        fileSystem.Delete(path); // a leftover empty file of the same name from a crash mid-rotation
        var file = fileSystem.Open(path, FileOpenMode.CreateNew);
        Span<byte> header = stackalloc byte[RecordFormat.SegmentHeaderSize];
        RecordFormat.WriteSegmentHeader(header, id);
        try
        {
            file.Write(0, header);
            file.Sync();
            fileSystem.SyncDirectory(directory); // the new name must survive a power cut too
        }
        catch (IOException ex) when (ex is not InjectedFaultException && IsOpen(file))
        {
            // fsyncgate: the header may be readable yet never durable; a reopen must not adopt
            // this file as its tail and append records behind a header a power cut will lose.
            file.Dispose();
            fileSystem.Delete(path);
            throw;
        }

        return new JournalSegment(id, path, file, RecordFormat.SegmentHeaderSize);
    }

    /// <summary>
    /// The verified records of <paramref name="segments"/> in order, applying the journal-wide
    /// rules: sequences strictly increase; records an earlier compaction already rewrote (its
    /// marker says through which sequence) are leftovers and ignored.
    /// </summary>
    private static IEnumerable<(JournalSegment Segment, FramedRecord Record)> Scan(IReadOnlyList<JournalSegment> segments, ScanCounters? counters)
    {
        long last = 0;
        long compactedThrough = 0;
        foreach (var segment in segments)
        {
            var reader = new SegmentReader(segment.File, segment.Length, int.MaxValue);
            long markerInThisSegment = 0;
            foreach (var record in reader.Read())
            {
                if (record.Kind == RecordFormat.InternalKind)
                {
                    if (RecordFormat.TryReadCompactionMarker(record.Payload, out var through))
                    {
                        markerInThisSegment = Math.Max(markerInThisSegment, through);
                    }

                    continue;
                }

                if (record.Sequence <= compactedThrough)
                {
                    counters?.CountLeftover();
                    continue;
                }

                if (record.Sequence <= last)
                {
                    counters?.CountCorrupt(); // out of order: not a record this journal wrote here
                    continue;
                }

                last = record.Sequence;
                yield return (segment, record);
            }

            // A compacted segment's marker covers the segments after it (left over if a crash
            // interrupted the clean-up), never the records of its own file.
            compactedThrough = Math.Max(compactedThrough, markerInThisSegment);
            last = Math.Max(last, markerInThisSegment);
            counters?.EndSegment(segment.Id, reader, last, isLast: ReferenceEquals(segment, segments[^1]));
        }
    }

    /// <summary>Tallies of a scan, filled in as it goes.</summary>
    private sealed class ScanCounters
    {
        public long LastSequence { get; private set; }

        public long CorruptRecords { get; private set; }

        public int CorruptSegments { get; private set; }

        public long LeftoverRecords { get; private set; }

        public Dictionary<long, long> ValidEnd { get; } = [];

        public void CountLeftover() => LeftoverRecords++;

        public void CountCorrupt() => CorruptRecords++;

        public void EndSegment(long segmentId, SegmentReader reader, long lastSequence, bool isLast)
        {
            ValidEnd[segmentId] = reader.ValidEnd;
            CorruptRecords += reader.CorruptRecords;

            // Stopping early in the last segment is a torn tail (reported as truncated bytes);
            // anywhere else it is damage.
            if ((reader.StoppedEarly && !isLast) || reader.CorruptRecords > 0)
            {
                CorruptSegments++;
            }

            LastSequence = lastSequence;
        }
    }
}
