using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Wire;

namespace EPostEdge.Overlay.Pastry;

// Routing: Pastry's next-hop rule (§2.3), per-hop acknowledgements with retries around a failed
// hop, end-to-end acknowledgements to find nodes that drop routed messages (ePOST), and the KBR
// route/send/deliver/forward calls.
public sealed partial class PastryNode
{
    private const int SeenCapacity = 8192;

    /// <summary>Hops after which a routed message is dropped: Pastry needs about log16 N, so this only ends loops.</summary>
    private const int MaxHops = 32;
    private readonly Dictionary<ulong, PendingHop> _pendingHops = [];
    private readonly Dictionary<ulong, PendingRootAck> _rootAcks = [];
    private readonly HashSet<(NodeId Source, ulong Id)> _seen = [];
    private readonly Queue<(NodeId Source, ulong Id)> _seenOrder = new();

    /// <summary>A routed message handed to a next hop, waiting for its hop acknowledgement.</summary>
    private sealed record PendingHop(RouteMessage Message, NodeId NextHop, TimeSpan Deadline, int Attempt, HashSet<NodeId> Tried);

    /// <summary>A message this node originated, waiting for its root's acknowledgement.</summary>
    private sealed record PendingRootAck(RouteMessage Message, NodeId FirstHop, TimeSpan Deadline, int Attempt);

    /// <inheritdoc />
    public void Route(NodeId key, ushort applicationId, ReadOnlyMemory<byte> payload)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var message = new RouteMessage(_random.NextUInt64(), key, applicationId, 0, WantsRootAck: true, LocalNode, payload);
            var firstHop = Continue(message, [], attempt: 1);
            if (firstHop is { } hop)
            {
                _rootAcks[message.MessageId] = new PendingRootAck(message, hop, Now + _options.RootAckTimeout, Attempt: 1);
                WakeBy(Now + _options.RootAckTimeout + TimeSpan.FromTicks(1));
            }
        }
    }

    /// <inheritdoc />
    public void Send(NodeHandle node, ushort applicationId, ReadOnlyMemory<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            if (node.Id == LocalNode.Id)
            {
                DeliverToApplication(applicationId, LocalNode.Id, new KbrMessage(LocalNode, applicationId, payload, 0));
                return;
            }

            SendTo(node, new DirectMessage(applicationId, payload));
        }
    }

    /// <summary>
    /// Pastry's routing rule (§2.3): within the leaf set's range, the closest member (or this node);
    /// else the table entry sharing one more digit with the key; else any known node that shares as
    /// long a prefix and is numerically closer (the rare case). Null when this node is the root.
    /// Nodes in <paramref name="excluded"/>, suspected, or routed around are skipped.
    /// </summary>
    private NodeHandle? NextHop(NodeId key, Func<NodeId, bool> excluded)
    {
        var now = Now;
        bool Skip(NodeId id) =>
            excluded(id) || !_neighbors.TryGetValue(id, out var n) || n.FailedRounds > 0 || now < n.RoutedAroundUntil;

        if (_leafSet.InRange(key))
        {
            // The root is decided by the leaf set alone: a merely suspect root is still the root
            // (skipping it would deliver to the wrong node); only a hop that failed this very
            // message, or one that drops routed messages, is passed over.
            bool SkipRoot(NodeId id) => excluded(id) || (_neighbors.TryGetValue(id, out var n) && now < n.RoutedAroundUntil);
            var closest = _leafSet.Closest(key, SkipRoot);
            return closest == LocalNode.Id ? null : _neighbors[closest].Handle;
        }

        var row = LocalNode.Id.SharedPrefixLength(key);
        if (_table[row, key.Digit(row)] is { } entry && !Skip(entry.Node.Id))
        {
            return entry.Node;
        }

        var best = LocalNode.Id;
        NodeHandle? bestHandle = null;
        foreach (var candidate in StateHandles())
        {
            if (!Skip(candidate.Id) && candidate.Id.SharedPrefixLength(key) >= row && key.IsCloser(candidate.Id, best))
            {
                best = candidate.Id;
                bestHandle = candidate;
            }
        }

        return bestHandle;
    }

    private void OnRoute(RouteMessage message, Neighbor from, NodeHandle? via)
    {
        if (!_joined.Task.IsCompleted)
        {
            // Not joined yet (or restarted under an id others still route to): no acknowledgement,
            // so the sender's retry goes elsewhere once its probe of us fails.
            return;
        }

        SendMessage(from, new HopAckMessage(message.MessageId), via);
        if (DropsRoutedMessages)
        {
            return;
        }

        if (message.Hops >= MaxHops)
        {
            Counters.RouteFailures++; // a loop between inconsistent views; the source's retry comes later
            return;
        }

        Continue(message with { Hops = message.Hops + 1 }, [], attempt: 1);
    }

    /// <summary>Delivers the message here or forwards it to the next hop; returns the next hop (null when delivered or dropped).</summary>
    private NodeId? Continue(RouteMessage message, HashSet<NodeId> tried, int attempt)
    {
        if (message.ApplicationId == SystemApplication)
        {
            // A join goes to the closest node other than the joiner: a restarted node may still
            // sit in others' routing state under its old incarnation (same id), and routing its
            // join to itself would lose it on every retry (found by the churn-1m simulation).
            tried.Add(message.Key);
        }

        var next = NextHop(message.Key, tried.Contains);
        if (next is null)
        {
            Deliver(message);
            return null;
        }

        if (message.ApplicationId == SystemApplication)
        {
            message = AddJoinRows(message, next);
        }
        else if (_applications.TryGetValue(message.ApplicationId, out var application))
        {
            var kbr = new KbrMessage(message.Source, message.ApplicationId, message.Payload, message.Hops);
            var hop = next;
            bool keep;
            try
            {
                keep = application.Forward(message.Key, ref kbr, ref hop);
            }
            catch (Exception)
            {
                keep = true; // an application's bug must not lose the overlay's message
            }

            if (!keep)
            {
                return null;
            }

            message = message with { Payload = kbr.Payload };
            if (hop.Id == LocalNode.Id)
            {
                Deliver(message);
                return null;
            }

            next = hop;
        }

        if (!_neighbors.TryGetValue(next.Id, out var neighbor))
        {
            SendTo(next, message);
            return next.Id;
        }

        Counters.Forwarded++;
        SendMessage(neighbor, message);
        // Exponential backoff per attempt (as TCP backs off its RTO): a congested next hop gets
        // more time on each retry instead of more copies.
        var wait = 2 * neighbor.Rtt.Timeout * (1 << Math.Min(attempt - 1, 4));
        _pendingHops[message.MessageId] = new PendingHop(message, next.Id, Now + wait, attempt, tried);
        WakeBy(Now + wait + TimeSpan.FromTicks(1));
        return next.Id;
    }

    private void Deliver(RouteMessage message)
    {
        if (message.ApplicationId == SystemApplication)
        {
            OnJoinRequest(message);
            return;
        }

        if (message.WantsRootAck && message.Source.Id != LocalNode.Id)
        {
            SendTo(message.Source, new RouteAckMessage(message.MessageId));
        }

        _rootAcks.Remove(message.MessageId);
        if (!MarkSeen(message))
        {
            return; // a retry of a message already delivered here: acknowledged again, delivered once
        }

        Counters.Delivered++;
        DeliverToApplication(message.ApplicationId, message.Key, new KbrMessage(message.Source, message.ApplicationId, message.Payload, message.Hops));
    }

    private void DeliverToApplication(ushort applicationId, NodeId key, KbrMessage message)
    {
        if (!_applications.TryGetValue(applicationId, out var application))
        {
            return;
        }

        try
        {
            application.Deliver(key, message);
        }
        catch (Exception)
        {
            // The application's failure is its own; the overlay goes on.
        }
    }

    private void OnDirect(DirectMessage message, Neighbor from) =>
        DeliverToApplication(message.ApplicationId, LocalNode.Id, new KbrMessage(from.Handle, message.ApplicationId, message.Payload, 1));

    private void OnRouteAck(RouteAckMessage ack)
    {
        if (_rootAcks.Remove(ack.MessageId, out var pending) && _neighbors.TryGetValue(pending.FirstHop, out var firstHop))
        {
            firstHop.RoutingDrops = 0;
        }
    }

    /// <summary>Retries hops whose acknowledgement is overdue, and counts root acknowledgements that never came (on each tick).</summary>
    private void CheckRoutes()
    {
        var now = Now;
        foreach (var (id, pending) in _pendingHops.Where(p => p.Value.Deadline < now).ToList())
        {
            _pendingHops.Remove(id);
            RetryHop(pending);
        }

        foreach (var (id, pending) in _rootAcks.Where(p => p.Value.Deadline < now).ToList())
        {
            _rootAcks.Remove(id);
            Counters.RootAckTimeouts++;
            // ePOST's lesson: a node may answer pings yet drop what is routed through it. The
            // first retry goes the same way (one lost acknowledgement is no evidence); when that is
            // lost too, the first hop is charged, and the last try goes around it.
            HashSet<NodeId> excluded = [];
            if (pending.Attempt >= 2)
            {
                excluded.Add(pending.FirstHop);
                if (_neighbors.TryGetValue(pending.FirstHop, out var firstHop) && ++firstHop.RoutingDrops >= _options.DropsBeforeRoutingAround)
                {
                    firstHop.RoutedAroundUntil = now + _options.RoutingAroundPeriod;
                    firstHop.RoutingDrops = 0;
                }
            }

            if (pending.Attempt < 3 && Continue(pending.Message, excluded, attempt: 1) is { } hop)
            {
                // Same message id: nodes deliver it once, and acknowledge every copy.
                _rootAcks[id] = new PendingRootAck(pending.Message, hop, now + _options.RootAckTimeout, pending.Attempt + 1);
                WakeBy(now + _options.RootAckTimeout + TimeSpan.FromTicks(1));
            }
        }
    }

    private void RetryHop(PendingHop pending)
    {
        if (_neighbors.TryGetValue(pending.NextHop, out var next) && next.ProbeRoundStarted is null && InState(next.Id))
        {
            StartProbeRound(next); // check it now rather than at its next keep-alive
        }

        if (pending.Attempt >= _options.RouteAttempts)
        {
            Counters.RouteFailures++;
            return;
        }

        // A missing acknowledgement is more often a lost datagram than a dead node: send again by
        // the routing rule, which skips the next hop only once its probe round has failed (then it
        // is suspect) — excluding it at once would deliver to the wrong root when it was alive.
        Counters.HopRetries++;
        if (!InState(pending.NextHop))
        {
            pending.Tried.Add(pending.NextHop);
        }

        Continue(pending.Message, pending.Tried, pending.Attempt + 1);
    }

    /// <summary>A node left routing state: resend at once what waits on it.</summary>
    private void RerouteAround(NodeId gone)
    {
        foreach (var (id, pending) in _pendingHops.Where(p => p.Value.NextHop == gone).ToList())
        {
            _pendingHops.Remove(id);
            RetryHop(pending);
        }
    }

    /// <summary>Remembers a message's identity; false when it was already seen (bounded memory).</summary>
    private bool MarkSeen(RouteMessage message)
    {
        var key = (message.Source.Id, message.MessageId);
        if (!_seen.Add(key))
        {
            return false;
        }

        _seenOrder.Enqueue(key);
        if (_seenOrder.Count > SeenCapacity)
        {
            _seen.Remove(_seenOrder.Dequeue());
        }

        return true;
    }
}
