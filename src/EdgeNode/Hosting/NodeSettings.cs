namespace EPostEdge.EdgeNode.Hosting;

/// <summary>The node's settings after the command line, environment and defaults are merged.</summary>
/// <param name="DataDirectory">Where the store lives (default <c>./data</c>).</param>
/// <param name="QuotaBytes">Disk quota of the local store in bytes.</param>
public sealed record NodeSettings(string DataDirectory, long QuotaBytes)
{
    /// <summary>The store folder inside the data directory.</summary>
    public string StoreDirectory => Path.Combine(DataDirectory, "store");
}
