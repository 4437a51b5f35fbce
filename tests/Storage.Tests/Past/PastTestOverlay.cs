using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Simulation;
using EPostEdge.Storage.Past;

namespace EPostEdge.Storage.Tests.Past;

/// <summary>
/// A small simulated overlay with a real <see cref="PastService"/> on every node, each on its own
/// in-memory held store that outlives the node (as a disk would). Operations are started, then
/// virtual time runs until they complete.
/// </summary>
internal sealed class PastTestOverlay : IDisposable
{
    private readonly PastService?[] _services;

    public PastTestOverlay(ulong seed, int nodes, PastOptions options, long capacity = 64L * 1024 * 1024)
    {
        Options = options;
        Overlay = SimulatedOverlay.Create(seed, nodes, joinInterval: TimeSpan.FromMilliseconds(250));
        Stores = Enumerable.Range(0, nodes).Select(_ => new MemoryHeldStore(capacity)).ToArray();
        _services = new PastService?[nodes];
        var random = new SeededRandomSource(seed * 31);
        Overlay.NodeStarted += node => _services[node.Index] = new PastService(node.Node!, Stores[node.Index], node.Identity, random.Fork(), Options);
        Overlay.NodeKilled += node =>
        {
            _services[node.Index]?.Dispose();
            _services[node.Index] = null;
        };
        var joined = Overlay.RunUntil(() => Overlay.Nodes.All(n => n.IsJoined) && Overlay.LeafSetsCorrect(out _), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1));
        Assert.NotNull(joined);
    }

    public SimulatedOverlay Overlay { get; }

    public MemoryHeldStore[] Stores { get; }

    public PastOptions Options { get; }

    public PastService Service(int index) => _services[index] ?? throw new InvalidOperationException($"node {index} is down");

    /// <summary>Runs virtual time until <paramref name="task"/> completes (at most 10 minutes) and returns its result.</summary>
    public T Run<T>(Task<T> task)
    {
        Assert.NotNull(Overlay.RunUntil(() => task.IsCompleted, TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(100)));
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Indexes of the live nodes whose store holds <paramref name="kind"/> <paramref name="key"/>.</summary>
    public List<int> Holders(HeldKind kind, EPostEdge.Storage.Blocks.BlockKey key) =>
        Enumerable.Range(0, Stores.Length).Where(i => Overlay.Nodes[i].IsAlive && Stores[i].Find(kind, key) is not null).ToList();

    public void Dispose()
    {
        foreach (var service in _services)
        {
            service?.Dispose();
        }

        Overlay.Dispose();
    }
}
