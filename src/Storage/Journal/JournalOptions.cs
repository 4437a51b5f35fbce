namespace EPostEdge.Storage.Journal;

/// <summary>Journal sizes.</summary>
public sealed record JournalOptions
{
    /// <summary>A segment is sealed and a new one started once it passes this size.</summary>
    public long SegmentSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest payload accepted; also the sanity bound on a length field read back.</summary>
    public int MaxRecordBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>A group-commit batch stops growing at this many bytes (bounds the write buffer).</summary>
    public int MaxBatchBytes { get; init; } = 8 * 1024 * 1024;
}
