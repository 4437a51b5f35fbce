namespace EPostEdge.Storage.Blocks;

/// <summary>Limits of the local block store (set per hw-profile).</summary>
public sealed record BlockStoreOptions
{
    /// <summary>Disk quota in bytes for the store's journal; writes past it are refused whole. Default: unlimited.</summary>
    public long QuotaBytes { get; init; } = long.MaxValue;

    /// <summary>Bytes always left free on the volume, whatever the quota says (the OS and logs need room too).</summary>
    public long ReserveFreeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest block accepted.</summary>
    public int MaxBlockBytes { get; init; } = 16 * 1024 * 1024 - 64;
}
