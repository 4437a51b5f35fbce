using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Routing;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Wire;
using WireReader = EPostEdge.Overlay.Wire.WireReader;
using WireWriter = EPostEdge.Overlay.Wire.WireWriter;

namespace EPostEdge.Overlay.Pastry;

// Joining (Pastry §2.4), periodic maintenance (Bamboo §4: leaf-set push-pull, lazy table repair),
// and partition healing (ePOST: keep probing recently dead nodes and bootstraps).
public sealed partial class PastryNode
{
    private readonly List<DeadNode> _recentlyDead = [];
    private IPEndPoint? _joinTarget;
    private int _bootstrapIndex;
    private TimeSpan _nextJoinAttempt;
    private TimeSpan _nextExchange;
    private TimeSpan _nextRepair;
    private TimeSpan _nextPartitionProbe;
    private TimeSpan _nextChangeExchange;
    private bool _leafSetChanged;

    // Joining has two steps: a member has its join reply (it answers pings and admits nodes);
    // it has joined (Joined completes) once its nearest neighbours answered it.
    private bool _member;
    private readonly List<NodeId> _expectedNearest = [];
    private readonly List<NodeHandle> _arrivedSinceExchange = [];

    /// <summary>A node declared dead, remembered so it is probed until it answers or is forgotten.</summary>
    private sealed record DeadNode(NodeHandle Node, TimeSpan Since);

    private void ScheduleMaintenance()
    {
        var now = Now;

        // Spread the periodic work of many nodes that started together (jitter from the run's random source).
        _nextExchange = now + Jitter(_options.LeafSetExchangeInterval);
        _nextRepair = now + Jitter(_options.TableRepairInterval);
        _nextPartitionProbe = now + Jitter(_options.PartitionProbeInterval);
    }

    private TimeSpan Jitter(TimeSpan period) => period * (0.5 + _random.NextDouble());

    private void OnTick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            // Work done now may set earlier deadlines (WakeBy); the timer is re-armed once, at the end.
            Counters.Wakes++;
            _inTick = true;
            _wakeAt = TimeSpan.MaxValue;
            try
            {
                Maintain();
                _wakeAt = Min(_wakeAt, NextDue());
            }
            catch (Exception e)
            {
                // A maintenance bug must not stop the timer; the next wake-up tries again.
                LastFault = e.ToString();
                _wakeAt = Min(_wakeAt, Now + _options.Tick);
            }
            finally
            {
                _inTick = false;
            }

            var delay = _wakeAt - Now;
            _timer?.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void Maintain()
    {
        var now = Now;
        if (!_member)
        {
            if (now >= _nextJoinAttempt)
            {
                _bootstrapIndex++;
                AttemptJoin();
            }

            return;
        }

        if (!_joined.Task.IsCompleted && now >= _nextJoinAttempt)
        {
            if (_leafSet.Members.Count > 0)
            {
                _joined.TrySetResult(); // an expected neighbour died meanwhile: the others are enough
            }
            else
            {
                _member = false; // nobody answered: join again, through the next bootstrap
                _bootstrapIndex++;
                AttemptJoin();
                return;
            }
        }

        CheckLiveness();
        CheckRoutes();
        if (_leafSetChanged && now >= _nextChangeExchange)
        {
            // After arrivals (a join, a partition merging) the nearest members on each side are
            // the ones whose views must move with ours: tell them at once, rate-limited, instead
            // of waiting for the random periodic exchange. Only the arrivals travel, and no answer
            // is asked: under churn the full push-pull here was most of the maintenance traffic.
            _leafSetChanged = false;
            _nextChangeExchange = now + (_options.LeafSetExchangeInterval / 4);
            var arrivals = _arrivedSinceExchange.Where(h => _leafSet.Contains(h.Id)).ToList();
            _arrivedSinceExchange.Clear();
            foreach (var nearest in new[] { _leafSet.Clockwise.FirstOrDefault(), _leafSet.CounterClockwise.FirstOrDefault() }.Distinct())
            {
                var news = nearest is null ? [] : arrivals.Where(h => h.Id != nearest.Id).ToList();
                if (news.Count > 0)
                {
                    SendMessage(_neighbors[nearest!.Id], new LeafSetMessage(IsReply: true, news));
                }
            }
        }

        if (now >= _nextExchange)
        {
            _nextExchange = now + Jitter(_options.LeafSetExchangeInterval);
            ExchangeLeafSet();
        }

        if (now >= _nextRepair)
        {
            _nextRepair = now + Jitter(_options.TableRepairInterval);
            RepairTable();
        }

        if (now >= _nextPartitionProbe)
        {
            // Little jitter here: a healed partition should be noticed within one probe period.
            _nextPartitionProbe = now + (_options.PartitionProbeInterval * (0.9 + (0.1 * _random.NextDouble())));
            ProbeForPartitions();
        }
    }

    /// <summary>Asks the current bootstrap for its certificate; its Hello answer triggers the join.</summary>
    private void AttemptJoin()
    {
        var bootstraps = _options.Bootstraps;
        _joinTarget = bootstraps[_bootstrapIndex % bootstraps.Count];
        _nextJoinAttempt = Now + _options.JoinRetryInterval;
        var known = _neighbors.Values.FirstOrDefault(n => n.Handle.EndPoint.Equals(_joinTarget));
        if (known is not null)
        {
            SendJoin(known);
        }
        else
        {
            SendHello(_joinTarget, wantsReply: true);
        }
    }

    private bool IsBootstrap(IPEndPoint source, Neighbor neighbor) =>
        _joinTarget is not null && (_joinTarget.Equals(source) || _joinTarget.Equals(neighbor.Handle.EndPoint));

    /// <summary>Routes a join to our own id through the bootstrap (Pastry §2.4); the root answers with its leaf set.</summary>
    private void SendJoin(Neighbor bootstrap)
    {
        var payload = EncodeJoin(_certificate.Encoded.Span, []);
        var message = new RouteMessage(_random.NextUInt64(), LocalNode.Id, SystemApplication, 0, WantsRootAck: false, LocalNode, payload);
        SendMessage(bootstrap, message);
    }

    /// <summary>Each node a join passes adds its routing-table rows up to the prefix it shares with the joiner.</summary>
    private RouteMessage AddJoinRows(RouteMessage message, NodeHandle next)
    {
        if (!TryDecodeJoin(message.Payload.Span, out var certificate, out var rows))
        {
            return message;
        }

        var shared = Math.Min(LocalNode.Id.SharedPrefixLength(message.Key), NodeId.Digits - 1);
        var seen = new HashSet<NodeId>(rows.Select(r => r.Id));
        for (var row = 0; row <= shared && row < _table.RowCount; row++)
        {
            foreach (var entry in _table.Row(row))
            {
                if (rows.Count < byte.MaxValue && seen.Add(entry.Id))
                {
                    rows.Add(entry);
                }
            }
        }

        if (rows.Count < byte.MaxValue && seen.Add(LocalNode.Id))
        {
            rows.Add(LocalNode);
        }

        _ = next;
        return message with { Payload = EncodeJoin(certificate, rows) };
    }

    /// <summary>This node is the root of a joiner's id: send it our leaf set and the rows gathered on the way.</summary>
    private void OnJoinRequest(RouteMessage message)
    {
        if (!TryDecodeJoin(message.Payload.Span, out var certificateBytes, out var rows)
            || !NodeCertificate.TryDecode(certificateBytes, out var certificate, out _)
            || certificate!.Id != message.Source.Id
            || Remember(certificate) is not { } joiner)
        {
            Counters.CertificatesRefused++;
            return;
        }

        var leafSet = _leafSet.Members.Append(LocalNode).ToList();
        SendMessage(joiner, new JoinReplyMessage(leafSet, rows), direct: true);
    }

    private void OnJoinReply(JoinReplyMessage reply, Neighbor root)
    {
        if (_member)
        {
            return;
        }

        // A member now (it answers pings, so its neighbours admit it), but not yet joined: that
        // waits until the nodes that will be its nearest on each side, by the root's leaf set,
        // have answered its probes. Until then its leaf set is empty or one-sided, and it would
        // take itself for the root of keys far from it (found by churn-1m, 1 000 nodes, seed 1:
        // a restarted node delivered a lookup 31 nodes from its root). MSPastry's "active".
        _member = true;
        _nextJoinAttempt = Now + _options.JoinRetryInterval;
        var nearest = new LeafSet(LocalNode.Id, _options.LeafSetSize);
        foreach (var node in reply.LeafSet.Concat(reply.RowEntries))
        {
            nearest.Add(node);
        }

        _expectedNearest.Clear();
        foreach (var node in new[] { nearest.Clockwise.FirstOrDefault(), nearest.CounterClockwise.FirstOrDefault() }.Distinct())
        {
            if (node is not null)
            {
                _expectedNearest.Add(node.Id);
            }
        }

        Candidate(root.Handle);
        foreach (var node in reply.LeafSet)
        {
            Candidate(node);
        }

        // The rows gathered along the join's path offer several nodes per slot (each node on the
        // path adds its rows): probe one per empty slot. Every probe of a node not met before
        // costs a certificate exchange both ways, and under churn-1m joins were most of the
        // maintenance traffic; lazy repair and proximity probes find the rest (Pastry §2.4, §2.5).
        var slots = new HashSet<(int Row, int Column)>();
        foreach (var node in reply.RowEntries)
        {
            if (node.Id != LocalNode.Id && (nearest.Contains(node.Id) || slots.Add(_table.SlotOf(node.Id))))
            {
                Candidate(node);
            }
        }
    }

    private void OnLeafSet(LeafSetMessage message, Neighbor from, NodeHandle? via)
    {
        if (!message.IsReply)
        {
            SendMessage(from, new LeafSetMessage(IsReply: true, _leafSet.Members), via);
        }

        foreach (var node in message.Members)
        {
            Candidate(node);
        }
    }

    /// <summary>Bamboo's push-pull: our leaf set to one random member, which answers with its own.</summary>
    private void ExchangeLeafSet()
    {
        var members = _leafSet.Members;
        if (members.Count == 0)
        {
            return;
        }

        var target = members[_random.NextInt32(members.Count)];
        SendMessage(_neighbors[target.Id], new LeafSetMessage(IsReply: false, members));
    }

    /// <summary>Lazy routing-table repair: ask a random entry of a random row for its copy of that row.</summary>
    private void RepairTable()
    {
        var rows = _table.RowCount;
        if (rows == 0)
        {
            // No table yet: the leaf set's members know rows we lack.
            var members = _leafSet.Members;
            if (members.Count > 0)
            {
                SendMessage(_neighbors[members[_random.NextInt32(members.Count)].Id], new RowRequestMessage(0));
            }

            return;
        }

        var row = _random.NextInt32(rows);
        var entries = _table.Row(row);
        if (entries.Count == 0)
        {
            entries = _leafSet.Members;
        }

        if (entries.Count > 0)
        {
            SendMessage(_neighbors[entries[_random.NextInt32(entries.Count)].Id], new RowRequestMessage(row));
        }
    }

    private void RememberDead(NodeHandle node)
    {
        _recentlyDead.RemoveAll(d => d.Node.Id == node.Id);
        _recentlyDead.Add(new DeadNode(node, Now));
        if (_recentlyDead.Count > _options.RecentlyDeadCapacity)
        {
            _recentlyDead.RemoveAt(0);
        }
    }

    /// <summary>
    /// ePOST's partition healing: probe some recently dead nodes and the bootstraps; an answer from
    /// the other side of a healed partition admits that node, and the leaf-set exchanges that
    /// follow merge the two rings.
    /// </summary>
    private void ProbeForPartitions()
    {
        var now = Now;
        _recentlyDead.RemoveAll(d => now - d.Since > _options.RecentlyDeadMemory);
        var pool = _recentlyDead.Where(d => !InState(d.Node.Id)).ToList();
        for (var i = 0; i < _options.PartitionProbesPerRound && pool.Count > 0; i++)
        {
            var pick = _random.NextInt32(pool.Count);
            if (_neighbors.TryGetValue(pool[pick].Node.Id, out var neighbor))
            {
                neighbor.FailedRounds = 0;
                SendPing(neighbor, via: null);
            }
            else
            {
                SendHello(pool[pick].Node.EndPoint, wantsReply: true);
            }

            pool.RemoveAt(pick);
        }

        foreach (var bootstrap in _options.Bootstraps)
        {
            if (!StateHandles().Any(h => h.EndPoint.Equals(bootstrap)) && !bootstrap.Equals(LocalNode.EndPoint))
            {
                SendHello(bootstrap, wantsReply: true);
            }
        }
    }

    private static byte[] EncodeJoin(ReadOnlySpan<byte> certificate, IReadOnlyCollection<NodeHandle> rows)
    {
        var writer = new WireWriter(certificate.Length + 64);
        writer.WriteShortBlob(certificate);
        writer.WriteHandles(rows);
        return writer.ToArray();
    }

    private static bool TryDecodeJoin(ReadOnlySpan<byte> payload, out byte[] certificate, out List<NodeHandle> rows)
    {
        certificate = [];
        rows = [];
        var reader = new WireReader(payload);
        if (!reader.TryReadShortBlob(out var certificateBytes) || !reader.TryReadHandles(out var handles) || reader.Remaining != 0)
        {
            return false;
        }

        certificate = certificateBytes.ToArray();
        rows = handles!;
        return true;
    }
}
