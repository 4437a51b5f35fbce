using System.Globalization;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// Where one lookup went, from the KBR <c>Forward</c> upcall at each hop (Dabek et al. §3): the
/// routing-consistency checker prints it with a violation, as the exact path rather than a guess
/// from the frames around it.
/// </summary>
public sealed class LookupPath
{
    private readonly List<LookupForward> _forwards = [];

    internal LookupPath(long number, NodeId key, int source, TimeSpan issued)
    {
        Number = number;
        Key = key;
        Source = source;
        Issued = issued;
    }

    public long Number { get; }

    public NodeId Key { get; }

    /// <summary>The node the lookup was routed from.</summary>
    public int Source { get; }

    /// <summary>Virtual time it was routed.</summary>
    public TimeSpan Issued { get; }

    /// <summary>Each forwarding step, in order (a retried hop appears again).</summary>
    public IReadOnlyList<LookupForward> Forwards => _forwards;

    /// <summary>The node it was delivered at; -1 while in flight.</summary>
    public int DeliveredAt { get; internal set; } = -1;

    /// <summary>Virtual time of the delivery.</summary>
    public TimeSpan Delivered { get; internal set; }

    /// <summary>Overlay hops as the message counted them.</summary>
    public int Hops { get; internal set; }

    /// <summary>Every node the lookup touched: the source, each hop and where it was delivered.</summary>
    public IReadOnlyCollection<int> Nodes
    {
        get
        {
            var nodes = new SortedSet<int> { Source };
            foreach (var forward in _forwards)
            {
                nodes.Add(forward.From);
                nodes.Add(forward.To);
            }

            if (DeliveredAt >= 0)
            {
                nodes.Add(DeliveredAt);
            }

            nodes.Remove(-1);
            return nodes;
        }
    }

    internal void Add(LookupForward forward) => _forwards.Add(forward);

    /// <summary>The path as trace lines, in the format of <see cref="SimulationTrace"/>.</summary>
    public IReadOnlyList<string> Describe()
    {
        var invariant = CultureInfo.InvariantCulture;
        var lines = new List<string>(_forwards.Count + 2)
        {
            string.Create(invariant, $"{Issued.TotalMilliseconds,12:F3} ms lookup #{Number} for {Key.ToShortString()} routed from {Source}"),
        };
        foreach (var forward in _forwards)
        {
            lines.Add(string.Create(invariant, $"{forward.Time.TotalMilliseconds,12:F3} ms lookup #{Number} forwarded {forward.From} -> {(forward.To < 0 ? "?" : forward.To)}"));
        }

        if (DeliveredAt >= 0)
        {
            lines.Add(string.Create(invariant, $"{Delivered.TotalMilliseconds,12:F3} ms lookup #{Number} delivered at {DeliveredAt} hops {Hops}"));
        }

        return lines;
    }
}
