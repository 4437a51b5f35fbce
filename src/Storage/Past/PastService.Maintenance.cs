using EPostEdge.Overlay.Ids;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;

namespace EPostEdge.Storage.Past;

/// <summary>Replica maintenance (PAST §3.5, with Glacier's Bloom-filter comparison) and fragment hand-off.</summary>
public sealed partial class PastService
{
    // Pushes per neighbour per round: a node that joins next to a full one is filled over a few rounds, not in one burst.
    private const int MaxPushesPerSync = 256;

    // Glacier coverage checks at a replica's root (CheckGlacierCoverage).
    private readonly Dictionary<BlockKey, long> _firstSeenAsRoot = [];
    private readonly HashSet<BlockKey> _covered = [];
    private readonly HashSet<BlockKey> _uncovered = [];

    /// <summary>
    /// One maintenance round: send each near neighbour a Bloom filter of the replica and head keys
    /// held here (the neighbour pushes those of its keys that this node should hold and lacks), and
    /// hand each fragment whose key now has a closer live node to that node.
    /// </summary>
    private void Maintain()
    {
        foreach (var kind in new[] { HeldKind.Replica, HeldKind.Head })
        {
            var items = _held.Items(kind);
            var filter = new BloomFilter(items.Count, _random.NextUInt64());
            foreach (var item in items)
            {
                filter.Add(SyncKey(item));
            }

            var sync = new PastMessage { Kind = PastMessageKind.Sync, Held = kind, Payload = filter.Encode() }.Encode();
            // A key's replica set reaches k - 1 nodes to either side of any member.
            foreach (var neighbour in _kbr.NeighborSet(2 * Math.Max(1, _options.Replicas - 1)))
            {
                _kbr.Send(neighbour, ApplicationId, sync);
            }
        }

        foreach (var item in _held.Items(HeldKind.Fragment).Concat(_held.Items(HeldKind.Pointer)))
        {
            if (!_kbr.IsRoot(FragmentKeys.Placement(item.Key)))
            {
                Observe(HandOffAsync(item));
            }
        }

        if (_options.Glacier)
        {
            CheckGlacierCoverage();
        }

        // A node that stood in for an absent replica holder keeps a surplus copy once that node is
        // back (churn): dropped when the whole replica set confirms it holds the item.
        foreach (var kind in new[] { HeldKind.Replica, HeldKind.Head })
        {
            foreach (var item in _held.Items(kind))
            {
                var replicaSet = _kbr.ReplicaSet(FragmentKeys.Placement(item.Key), _options.Replicas);
                if (replicaSet.Count == _options.Replicas && !replicaSet.Any(m => m.Id == Local.Id))
                {
                    Observe(TrimAsync(item, replicaSet));
                }
            }
        }
    }

    /// <summary>
    /// The owner encodes its objects into Glacier once they are acknowledged; if it died in between
    /// (or its aggregate was still open), the object would be left with replicas only. So the root of
    /// each replica, once the object is older than the owner's longest path to Glacier, checks that
    /// the object has fragments or pointers, and when it still has none a round later encodes it
    /// itself, under what is left of its replica's lease (it stands in, it does not take ownership).
    /// </summary>
    private void CheckGlacierCoverage()
    {
        var now = _kbr.Time.GetTimestamp();
        var grace = _options.AggregateDelay + (_options.RequestTimeout * 2 * (_options.Retries + 1));
        var held = _held.Items(HeldKind.Replica);
        foreach (var key in _firstSeenAsRoot.Keys.Concat(_covered).Where(k => _held.Find(HeldKind.Replica, k) is null).ToList())
        {
            _firstSeenAsRoot.Remove(key);
            _covered.Remove(key);
        }

        foreach (var item in held)
        {
            if (_covered.Contains(item.Key) || !_kbr.IsRoot(FragmentKeys.Placement(item.Key)))
            {
                continue;
            }

            if (!_firstSeenAsRoot.TryGetValue(item.Key, out var since))
            {
                _firstSeenAsRoot[item.Key] = now;
            }
            else if (_kbr.Time.GetElapsedTime(since, now) >= grace)
            {
                Observe(EnsureGlacierAsync(item));
            }
        }
    }

    private async Task EnsureGlacierAsync(HeldItem item)
    {
        // Any one pointer or fragment will do. Probed one by one, so a covered object costs a probe
        // or two; after a correlated failure many are gone, and stopping at the first few would
        // encode again objects that are covered (0.6^16 of them lose all 16 pointers).
        for (var index = 0; index < Math.Max(_options.PointerCopies, _options.Fragments); index++)
        {
            foreach (var kind in new[] { HeldKind.Pointer, HeldKind.Fragment })
            {
                if ((kind == HeldKind.Pointer ? index < _options.PointerCopies : index < _options.Fragments)
                    && await ProbeAsync(kind, FragmentKeys.Of(item.Key, index)) != false)
                {
                    _covered.Add(item.Key);
                    _uncovered.Remove(item.Key);
                    return;
                }
            }
        }

        var lease = RemainingLease(item);
        var (found, content, _, _) = await ReadHeldAsync(HeldKind.Replica, item.Key);
        if (!_uncovered.Add(item.Key) && found && lease > 0)
        {
            _uncovered.Remove(item.Key);
            _covered.Add(item.Key);
            Counters.StoodIn++;
            var standIn = new OwnedObject(item.Key, content.Length, "");
            if (content.Length < _options.AggregateBelow)
            {
                AddToAggregate(standIn, content, lease);
            }
            else
            {
                await StoreFragmentsAsync(standIn, content, lease);
            }
        }
    }

    private async Task TrimAsync(HeldItem item, IReadOnlyList<NodeHandle> replicaSet)
    {
        var probe = new PastMessage { Kind = PastMessageKind.Fetch, Key = item.Key, Held = item.Kind, Status = FetchDirect | FetchProbe };
        var answers = await Task.WhenAll(replicaSet.Select(member => PacedRequestAsync(probe, member, default)));
        // A head is surplus only if every member holds this version or a newer one.
        if (answers.All(a => a is { Status: 1 } && a.Version >= item.Version)
            && !_kbr.ReplicaSet(FragmentKeys.Placement(item.Key), _options.Replicas).Any(m => m.Id == Local.Id))
        {
            Counters.Trimmed++;
            _held.Remove(item.Kind, item.Key);
        }
    }

    /// <summary>A neighbour's filter: push it what it should hold (it is in the key's replica set) and lacks.</summary>
    private async Task OnSyncAsync(PastMessage sync, NodeHandle source)
    {
        if (sync.Held is not (HeldKind.Replica or HeldKind.Head) || BloomFilter.TryDecode(sync.Payload.Span) is not { } filter)
        {
            Counters.Malformed++;
            return;
        }

        var pushes = 0;
        foreach (var item in _held.Items(sync.Held))
        {
            if (pushes >= MaxPushesPerSync)
            {
                break;
            }

            if (RemainingLease(item) == 0 || filter.MayContain(SyncKey(item))
                || !_kbr.ReplicaSet(FragmentKeys.Placement(item.Key), _options.Replicas).Any(m => m.Id == source.Id))
            {
                continue;
            }

            var (found, payload, _, version) = await ReadHeldAsync(sync.Held, item.Key);
            if (found && !_disposed)
            {
                pushes++;
                Counters.MaintenancePushes++;
                _kbr.Send(source, ApplicationId, new PastMessage { Kind = PastMessageKind.Store, Key = item.Key, Held = sync.Held, Version = version, LeaseEpochs = RemainingLease(item), Payload = payload }.Encode());
            }
        }
    }

    /// <summary>A fragment or pointer whose key has a closer live node goes there; dropped here once that node confirmed it.</summary>
    private async Task HandOffAsync(HeldItem item)
    {
        var (found, payload, extra, _) = await ReadHeldAsync(item.Kind, item.Key);
        if (!found || RemainingLease(item) == 0)
        {
            return;
        }

        var answer = await PacedRequestAsync(
            new PastMessage { Kind = PastMessageKind.Store, Key = item.Key, Held = item.Kind, LeaseEpochs = RemainingLease(item), Payload = payload, Extra = extra },
            null,
            FragmentKeys.Placement(item.Key));
        // The answer comes from whoever was root when it arrived: if that was this node again, keep it.
        if (answer?.Status == (byte)HeldPutResult.Stored && !_kbr.IsRoot(FragmentKeys.Placement(item.Key)))
        {
            Counters.HandOffs++;
            _held.Remove(item.Kind, item.Key);
        }
    }

    /// <summary>What a filter holds for an item: the key, and for a head also its version, so a newer head is pushed over an older one.</summary>
    private static byte[] SyncKey(HeldItem item)
    {
        var bytes = item.Key.Span.ToArray();
        if (item.Kind == HeldKind.Head)
        {
            var version = BitConverter.GetBytes(item.Version);
            for (var i = 0; i < version.Length; i++)
            {
                bytes[i] ^= version[i];
                bytes[i + 8] ^= version[i];
            }
        }

        return bytes;
    }
}
