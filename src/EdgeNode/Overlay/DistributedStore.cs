using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Past;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// The node's part of the distributed store while the overlay runs: the storage service (PAST
/// replicas, Glacier fragments, heads) over the Pastry node, and what it holds for others in
/// DATA/held, bounded by Overlay:ContributedQuota.
/// </summary>
internal sealed class DistributedStore : IAsyncDisposable
{
    /// <summary>The held store's folder inside the data folder.</summary>
    public const string HeldFolder = "held";

    private readonly PastryNode _node;
    private bool _disposed;

    private DistributedStore(PastryNode node, LocalHeldStore held, PastService past)
    {
        _node = node;
        Held = held;
        Past = past;
    }

    /// <summary>The storage service: inserts, verified reads, leases, maintenance.</summary>
    public PastService Past { get; }

    /// <summary>What this node holds for the overlay.</summary>
    public LocalHeldStore Held { get; }

    /// <summary>
    /// Opens DATA/held and registers the storage service with <paramref name="node"/>; call before
    /// the node starts, so that no store request reaches it unanswered.
    /// </summary>
    /// <param name="node">The Pastry node.</param>
    /// <param name="identity">This node's identity.</param>
    /// <param name="fileSystem">The disk seam.</param>
    /// <param name="dataDirectory">The data folder.</param>
    /// <param name="contributedBytes">Overlay:ContributedQuota, resolved.</param>
    /// <param name="options">The storage service's options.</param>
    /// <param name="diskNearFull">The node's disk budget: while it says so no new item is taken in (null: never).</param>
    public static DistributedStore Open(PastryNode node, NodeIdentity identity, IFileSystem fileSystem, string dataDirectory, long contributedBytes, PastOptions options, Func<bool>? diskNearFull = null)
    {
        // A put's caller (the service) continues on the node's logical thread (its lock), as every
        // other piece of its state is touched.
        var held = LocalHeldStore.Open(fileSystem, Path.Combine(dataDirectory, HeldFolder), contributedBytes, node.Execute);
        try
        {
            IHeldStore guarded = diskNearFull is null ? held : new Budgets.BudgetedHeldStore(held, diskNearFull);
            var past = new PastService(node, guarded, identity, SystemRandomSource.Instance, options);
            return new DistributedStore(node, held, past);
        }
        catch
        {
            held.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>The durability report (status.json, <c>status</c>).</summary>
    public DurabilityReport Durability() => Past.Durability();

    /// <summary>Stops the service (on the node's thread: its state lives there), then drains and closes the held store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _node.Execute(Past.Dispose);
        await Held.DisposeAsync().ConfigureAwait(false);
    }
}
