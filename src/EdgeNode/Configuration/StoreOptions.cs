namespace EPostEdge.EdgeNode.Configuration;

/// <summary>The "Store" section: the local block store (environment: <c>EPOSTEDGE_Store__Quota</c>).</summary>
public sealed class StoreOptions
{
    /// <summary>Disk quota of the store: "512M", "20G", "1T" or bytes; empty is unlimited.</summary>
    public string Quota { get; set; } = string.Empty;
}
