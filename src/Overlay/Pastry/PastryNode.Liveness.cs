using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Wire;

namespace EPostEdge.Overlay.Pastry;

// Liveness: keep-alives, RTT-based timeouts (Bamboo), failure detection, source-routed liveness
// (ePOST's non-transitive connectivity fix), and the admission of live nodes to routing state.
public sealed partial class PastryNode
{
    private readonly Dictionary<ulong, PendingPing> _pings = [];
    private readonly List<Neighbor> _livenessBuffer = [];
    private TimeSpan _nextPingExpiry;

    /// <summary>One ping in flight: to whom, when, and through which relay (null = direct).</summary>
    private readonly record struct PendingPing(NodeId Target, TimeSpan Sent, NodeHandle? Via);

    /// <summary>
    /// Starts a probe round for <paramref name="neighbor"/>: a direct ping, and when the direct path
    /// has failed or is known broken, a ping through a relay too. Any answer ends the round alive.
    /// </summary>
    private void StartProbeRound(Neighbor neighbor)
    {
        var now = Now;
        neighbor.ProbeRoundStarted = now;
        neighbor.LastProbe = now;
        SendPing(neighbor, via: null);
        if (InState(neighbor.Id))
        {
            WakeBy(LivenessDue(neighbor));
        }

        if (!_leafSet.Contains(neighbor.Id))
        {
            return; // table entries are replaceable: no relay effort for them
        }

        if (neighbor.Relay is { } relay)
        {
            SendPing(neighbor, relay);
        }

        if (neighbor.FailedRounds > 0 && PickRelay(neighbor) is { } another)
        {
            SendPing(neighbor, another);
        }
    }

    private void SendPing(Neighbor neighbor, NodeHandle? via)
    {
        var nonce = _random.NextUInt64();
        _pings[nonce] = new PendingPing(neighbor.Id, Now, via);
        SendMessage(neighbor, new PingMessage(nonce), via, direct: via is null);
    }

    /// <summary>A live leaf-set member other than <paramref name="target"/> (and its current relay), to reach it through.</summary>
    private NodeHandle? PickRelay(Neighbor target)
    {
        var choices = _leafSet.Members
            .Where(h => h.Id != target.Id && h.Id != target.Relay?.Id && _neighbors.TryGetValue(h.Id, out var n) && n.FailedRounds == 0 && n.Relay is null)
            .ToList();
        return choices.Count == 0 ? null : choices[_random.NextInt32(choices.Count)];
    }

    private void OnPong(PongMessage pong, Neighbor from, NodeHandle? via, bool senderJoined)
    {
        if (!_pings.Remove(pong.Nonce, out var ping) || ping.Target != from.Id)
        {
            return; // late duplicate, or not ours
        }

        var roundTrip = Now - ping.Sent;
        if (via is null)
        {
            from.Rtt.Add(roundTrip);
            from.Relay = null; // the direct path works again
        }
        else if (from.ProbeRoundStarted is not null || from.Relay is null)
        {
            // Reached only through a third node: keep using it (ePOST §4: not dead, just not directly reachable).
            from.Relay = via;
        }

        from.FailedRounds = 0;
        from.ProbeRoundStarted = null;
        if (from.Dead)
        {
            from.Dead = false;
            _recentlyDead.RemoveAll(d => d.Node.Id == from.Id);
        }

        if (senderJoined)
        {
            Admit(from, from.Rtt.Smoothed ?? roundTrip);
        }
    }

    /// <summary>Checks every probe round in flight and starts the keep-alives that are due (on each wake-up).</summary>
    private void CheckLiveness()
    {
        var now = Now;
        var state = CollectState(_livenessBuffer);
        foreach (var neighbor in state)
        {
            if (neighbor.ProbeRoundStarted is { } started)
            {
                if (now <= started + ProbeTimeout(neighbor))
                {
                    continue;
                }

                neighbor.ProbeRoundStarted = null;
                neighbor.FailedRounds++;
                var limit = neighbor.CollectedAsLeaf ? _options.ProbeRoundsBeforeDead : Math.Min(2, _options.ProbeRoundsBeforeDead);
                if (neighbor.FailedRounds >= limit)
                {
                    DeclareDead(neighbor);
                }
                else
                {
                    StartProbeRound(neighbor); // retry at once, now also through a relay
                }

                continue;
            }

            // A keep-alive due within the next eighth of its period goes out now with the others:
            // the probes of one node fall into step, so it wakes once per period, not once per neighbour.
            if (now >= KeepAliveDue(neighbor) - (KeepAlivePeriod(neighbor) / 8))
            {
                StartProbeRound(neighbor);
            }
        }

        state.Clear();
        if (now >= _nextPingExpiry)
        {
            // Forget pings nobody will answer any more.
            _nextPingExpiry = now + _options.MaximumTimeout;
            var expiry = now - (4 * _options.MaximumTimeout);
            foreach (var nonce in _pings.Where(p => p.Value.Sent < expiry).Select(p => p.Key).ToList())
            {
                _pings.Remove(nonce);
            }
        }
    }

    /// <summary>How long a probe round waits for any answer before it counts as missed.</summary>
    private TimeSpan ProbeTimeout(Neighbor neighbor)
    {
        var timeout = neighbor.Rtt.Timeout;
        return neighbor.Relay is not null || neighbor.FailedRounds > 0
            ? timeout * 2 // a relayed answer crosses two links
            : timeout;
    }

    /// <summary>Keep-alive period of a neighbour collected by the current <see cref="CollectState"/> scan.</summary>
    private TimeSpan KeepAlivePeriod(Neighbor neighbor) =>
        neighbor.CollectedAsNearLeaf ? _options.KeepAliveInterval
        : neighbor.CollectedAsLeaf ? _options.KeepAliveInterval * _options.FarLeafKeepAliveFactor
        : _options.TableProbeInterval;

    private TimeSpan KeepAliveDue(Neighbor neighbor) => neighbor.LastProbe + KeepAlivePeriod(neighbor);

    /// <summary>When <see cref="CheckLiveness"/> next has something to do for <paramref name="neighbor"/>.</summary>
    private TimeSpan LivenessDue(Neighbor neighbor) =>
        neighbor.ProbeRoundStarted is { } started
            ? started + ProbeTimeout(neighbor) + TimeSpan.FromTicks(1)
            : KeepAliveDue(neighbor);

    /// <summary>
    /// A node missed every probe round, direct and relayed: remove it from routing state, remember
    /// it for partition probes, and repair the leaf set eagerly (Pastry §2.4).
    /// </summary>
    private void DeclareDead(Neighbor neighbor)
    {
        Counters.DeclaredDead++;
        neighbor.Dead = true;
        RememberDead(neighbor.Handle);
        Forget(neighbor, dead: true);
    }

    /// <summary>Removes a node from routing state (dead, or left gracefully) and repairs around the hole.</summary>
    private void Forget(Neighbor neighbor, bool dead)
    {
        var wasClockwise = _leafSet.Clockwise.Any(h => h.Id == neighbor.Id);
        var wasLeaf = _leafSet.Remove(neighbor.Id);
        _table.Remove(neighbor.Id);
        neighbor.ProbeRoundStarted = null;
        neighbor.Relay = null;
        if (!dead)
        {
            neighbor.Dead = true; // it left: it rejoins by contacting us, as any node
        }

        foreach (var other in _neighbors.Values)
        {
            if (other.Relay?.Id == neighbor.Id)
            {
                other.Relay = null;
            }
        }

        RerouteAround(neighbor.Id);
        if (wasLeaf)
        {
            RaiseLeafSetChanged(neighbor.Handle, joined: false);

            // Eager leaf-set repair: the farthest live member on the side of the hole knows the
            // nodes just beyond it; its leaf set refills ours.
            var side = wasClockwise ? _leafSet.Clockwise : _leafSet.CounterClockwise;
            if (side.Count > 0 && _neighbors.TryGetValue(side[^1].Id, out var farthest))
            {
                // An empty push asks for its leaf set alone: ours is no news to it.
                SendMessage(farthest, new LeafSetMessage(IsReply: false, []));
            }
        }
    }

    /// <summary>
    /// A node we heard of: probe it when it would improve our leaf set or fill an empty table slot
    /// (or, with <paramref name="improve"/>, to find a nearer one for its slot: proximity
    /// neighbour selection). Only a probe answered by the node itself admits it.
    /// </summary>
    private void Candidate(NodeHandle node, bool improve = false)
    {
        if (node.Id == LocalNode.Id || InState(node.Id))
        {
            return;
        }

        var worthy = improve || _leafSet.WouldAdmit(node.Id) || _table.IsSlotEmpty(node.Id);
        if (!worthy)
        {
            return;
        }

        if (!_neighbors.TryGetValue(node.Id, out var neighbor))
        {
            SendHello(node.EndPoint, wantsReply: true); // its certificate first; the Hello answer brings us back here
            return;
        }

        // A candidate's probe round is not watched by the liveness check (it is in no routing
        // state yet): one that got no answer (the node was down, or across a partition) expires
        // here, so the node can be probed again when someone mentions it later.
        var now = Now;
        var roundOpen = neighbor.ProbeRoundStarted is { } started && now - started < 2 * _options.MaximumTimeout;
        if (!roundOpen && now - neighbor.LastProbe >= _options.MinimumTimeout)
        {
            neighbor.FailedRounds = 0;
            StartProbeRound(neighbor);
        }
    }

    /// <summary>True when <paramref name="id"/> is among the <paramref name="count"/> nearest leaf-set members on either side.</summary>
    private bool IsNearest(NodeId id, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if ((i < _leafSet.Clockwise.Count && _leafSet.Clockwise[i].Id == id)
                || (i < _leafSet.CounterClockwise.Count && _leafSet.CounterClockwise[i].Id == id))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A node answered a probe: put it where it belongs.</summary>
    private void Admit(Neighbor neighbor, TimeSpan roundTrip)
    {
        if (!_member)
        {
            return;
        }

        var evicted = new List<NodeHandle>();
        var wasMember = _leafSet.Contains(neighbor.Id);
        var joinedLeafSet = _leafSet.Add(neighbor.Handle, evicted) && !wasMember;
        _table.Consider(neighbor.Handle, roundTrip);
        if (InState(neighbor.Id))
        {
            neighbor.CollectedAsLeaf = _leafSet.Contains(neighbor.Id);
            neighbor.CollectedAsNearLeaf = IsNearest(neighbor.Id, _options.NearLeaves);
            WakeBy(LivenessDue(neighbor)); // its keep-alives start now
        }

        if (!_joined.Task.IsCompleted && _expectedNearest.TrueForAll(_leafSet.Contains))
        {
            _joined.TrySetResult();
        }

        if (joinedLeafSet)
        {
            RaiseLeafSetChanged(neighbor.Handle, joined: true);

            // Tell a new nearest member our leaf set: after a join or a partition merge, the two
            // sides learn each other's nodes at once instead of waiting for the periodic exchange.
            // Only the nearest two on each side are told (a joiner already has its root's leaf
            // set, and under churn members at the edge come and go all the time), and no answer
            // is asked: the new member admits us too and pushes its own.
            if (IsNearest(neighbor.Id, 2))
            {
                SendMessage(neighbor, new LeafSetMessage(IsReply: true, _leafSet.Members));
            }
        }

        foreach (var old in evicted)
        {
            RaiseLeafSetChanged(old, joined: false);
            if (_neighbors.TryGetValue(old.Id, out var oldNeighbor))
            {
                _table.Consider(old, oldNeighbor.Rtt.Smoothed ?? _options.InitialTimeout);
            }
        }
    }
}
