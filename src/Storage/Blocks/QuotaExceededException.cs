namespace EPostEdge.Storage.Blocks;

/// <summary>A write would pass the store's disk quota (or the volume is full); nothing was written.</summary>
public sealed class QuotaExceededException : IOException
{
    /// <summary>Creates the exception with the figures that refused the write.</summary>
    public QuotaExceededException(long requestedBytes, long usedBytes, long quotaBytes)
        : base($"disk quota exceeded: {requestedBytes} more bytes would bring {usedBytes} used past the quota of {quotaBytes}")
    {
        RequestedBytes = requestedBytes;
        UsedBytes = usedBytes;
        QuotaBytes = quotaBytes;
    }

    /// <summary>Creates the exception with no figures.</summary>
    public QuotaExceededException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public QuotaExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public QuotaExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Bytes the refused write needed.</summary>
    public long RequestedBytes { get; }

    /// <summary>Bytes in use when it was refused.</summary>
    public long UsedBytes { get; }

    /// <summary>The quota in force.</summary>
    public long QuotaBytes { get; }
}
