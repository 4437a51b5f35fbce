using EPostEdge.Overlay.Ids;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;

namespace EPostEdge.Storage.Past;

/// <summary>
/// Leases counted in epochs (ePOST's lesson after a user's clock ran two years off): a holder keeps
/// an item until its own epoch counter has advanced past the lease with no renewal seen; the owner
/// renews its live objects every few of its own epochs. No decision compares two nodes' clocks:
/// an epoch is a length of local monotonic time, and a lease is a count of them.
/// </summary>
public sealed partial class PastService
{
    /// <summary>One epoch passed on this node's clock: collect what ran out, and renew what this node owns.</summary>
    private void AdvanceEpoch()
    {
        Epoch++;
        foreach (var kind in new[] { HeldKind.Replica, HeldKind.Fragment, HeldKind.Head, HeldKind.Pointer })
        {
            foreach (var item in _held.Items(kind))
            {
                if (item.LeaseExpiresAt < Epoch)
                {
                    Counters.Collected++;
                    _held.Remove(kind, item.Key);
                }
            }
        }

        if (Epoch % _options.RenewEvery == 0)
        {
            foreach (var owned in _owned.Values.Where(o => !o.Released).ToList())
            {
                Observe(RenewAsync(owned));
            }

            RenewAggregates();
            foreach (var head in _ownedHeads.ToList())
            {
                Observe(PacedRequestAsync(new PastMessage { Kind = PastMessageKind.Renew, Key = head, Held = HeldKind.Head, LeaseEpochs = (uint)_options.LeaseEpochs }, null, FragmentKeys.Placement(head)));
            }
        }

        // Released objects are forgotten once their holders have surely collected them.
        foreach (var released in _owned.Values.Where(o => o.Released).ToList())
        {
            _owned.Remove(released.Key);
        }
    }

    /// <summary>Renews an object's replicas (through its root) and each of its fragments; updates its durability counts.</summary>
    private async Task RenewAsync(OwnedObject owned)
    {
        var lease = (uint)_options.LeaseEpochs;
        var replicas = await PacedRequestAsync(new PastMessage { Kind = PastMessageKind.Renew, Key = owned.Key, Held = HeldKind.Replica, LeaseEpochs = lease }, null, FragmentKeys.Placement(owned.Key));
        owned.ReplicasConfirmed = replicas?.Count ?? 0;
        if (owned.Aggregate is not null)
        {
            // Its pointers; the aggregate itself is renewed once for all its members.
            var pointers = await Task.WhenAll(Enumerable.Range(0, _options.PointerCopies).Select(i =>
            {
                var key = FragmentKeys.Of(owned.Key, i);
                return PacedRequestAsync(new PastMessage { Kind = PastMessageKind.Renew, Key = key, Held = HeldKind.Pointer, LeaseEpochs = lease }, null, FragmentKeys.Placement(key));
            }));
            owned.PointersConfirmed = pointers.Count(a => a?.Count > 0);
        }
        else if (_options.Glacier && owned.Length >= _options.AggregateBelow)
        {
            owned.FragmentsConfirmed = await RenewFragmentsAsync(owned.Key);
        }
    }

    /// <summary>Renews the n fragments of a Glacier object; returns how many holders confirmed.</summary>
    private async Task<int> RenewFragmentsAsync(BlockKey objectKey)
    {
        var lease = (uint)_options.LeaseEpochs;
        var fragments = await Task.WhenAll(Enumerable.Range(0, _options.Fragments).Select(i =>
        {
            var key = FragmentKeys.Of(objectKey, i);
            return PacedRequestAsync(new PastMessage { Kind = PastMessageKind.Renew, Key = key, Held = HeldKind.Fragment, LeaseEpochs = lease }, null, FragmentKeys.Placement(key));
        }));
        return fragments.Count(a => a?.Count > 0);
    }

    /// <summary>
    /// A renewal: extend the lease here; at a replica's root (a routed renewal) also have the rest of
    /// the replica set extend theirs. The answer counts the holders.
    /// </summary>
    private async Task OnRenewAsync(PastMessage renew, NodeHandle source)
    {
        var lease = Epoch + Math.Max(1, renew.LeaseEpochs);
        var count = 0;
        if (_held.Find(renew.Held, renew.Key) is not null)
        {
            _held.Renew(renew.Held, renew.Key, lease);
            count++;
        }

        if (renew.Held is HeldKind.Replica or HeldKind.Head && (renew.Status & FetchDirect) == 0)
        {
            var others = _kbr.ReplicaSet(FragmentKeys.Placement(renew.Key), _options.Replicas).Where(m => m.Id != Local.Id);
            var answers = await Task.WhenAll(others.Select(member => RequestAsync(renew with { Status = FetchDirect }, member, default)));
            count += answers.Sum(a => a?.Count ?? 0);
        }

        Reply(source, new PastMessage { Kind = PastMessageKind.InsertAck, Request = renew.Request, Key = renew.Key, Held = renew.Held, Count = (ushort)count });
    }
}
