using EPostEdge.Overlay.Ids;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;

namespace EPostEdge.Storage.Past;

/// <summary>
/// Glacier §4.3: small objects are packed into aggregates, and each gets pointers to its aggregate
/// at its own first fragment keys, so a reader that knows only the object's key finds it with no
/// directory. An aggregate is renewed while any of its members is.
/// </summary>
public sealed partial class PastService
{
    private readonly List<(OwnedObject Owned, byte[] Content, uint Lease)> _unsealed = [];
    private readonly SortedDictionary<BlockKey, List<BlockKey>> _aggregates = [];
    private int _unsealedBytes;
    private ITimer? _sealTimer;

    /// <summary>Adds an acknowledged small object to the open aggregate; seals it when full (or, by timer, when it has waited long enough).</summary>
    private void AddToAggregate(OwnedObject owned, byte[] content, uint lease)
    {
        _unsealed.Add((owned, content, lease));
        _unsealedBytes += content.Length;
        if (_unsealedBytes >= _options.AggregateTarget)
        {
            Seal();
        }
        else if (_unsealed.Count == 1)
        {
            _sealTimer ??= _kbr.Time.CreateTimer(_ => OnTimer(Seal), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _sealTimer.Change(_options.AggregateDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Seal()
    {
        _sealTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_unsealed.Count == 0)
        {
            return;
        }

        var members = _unsealed.ToList();
        _unsealed.Clear();
        _unsealedBytes = 0;
        Observe(StoreAggregateAsync(members));
    }

    private async Task StoreAggregateAsync(List<(OwnedObject Owned, byte[] Content, uint Lease)> members)
    {
        var packed = Aggregate.Pack(members.Select(m => m.Content).ToList());
        var key = BlockKey.Of(packed);
        var (manifest, fragments, paths) = Encode(key, packed, aggregate: true);
        _aggregates[key] = members.Select(m => m.Owned.Key).ToList();
        var lease = members.Max(m => m.Lease);
        var confirmed = await StoreInRoundsAsync(fragments.Length, i => StoreFragmentAsync(manifest, i, fragments[i], paths[i], lease));
        foreach (var (owned, _, _) in members)
        {
            owned.Aggregate = key;
            owned.FragmentsConfirmed = confirmed;
        }

        // A member is found in Glacier only through its pointers: it is fully redundant once they are all stored too.
        await Task.WhenAll(members.Select(async m =>
            m.Owned.PointersConfirmed = await StoreInRoundsAsync(_options.PointerCopies, i => StorePointerAsync(new GlacierPointer(m.Owned.Key, i, key), m.Lease))));
    }

    private async Task<bool> StorePointerAsync(GlacierPointer pointer, uint lease)
    {
        var answer = await PacedRequestAsync(
            new PastMessage { Kind = PastMessageKind.Store, Key = pointer.Key, Held = HeldKind.Pointer, Index = (ushort)pointer.Index, LeaseEpochs = lease, Payload = pointer.Encode() },
            null,
            FragmentKeys.Placement(pointer.Key));
        return answer?.Status == (byte)HeldPutResult.Stored;
    }

    /// <summary>Follows the object's pointers (the given copies, four at a time) to its aggregate, decodes that and takes the member out.</summary>
    private async Task<byte[]?> ReadViaPointersAsync(BlockKey key, IReadOnlyList<int> copies)
    {
        var tried = new HashSet<BlockKey>();
        for (var at = 0; at < copies.Count; at += 4)
        {
            var batch = copies.Skip(at).Take(4).Select(i => FragmentKeys.Of(key, i)).ToList();
            var answers = await Task.WhenAll(batch.Select(k => RequestAsync(new PastMessage { Kind = PastMessageKind.Fetch, Key = k, Held = HeldKind.Pointer }, null, FragmentKeys.Placement(k))));
            for (var i = 0; i < batch.Count; i++)
            {
                if (answers[i] is not { Status: 1 } answer || !GlacierPointer.TryOpen(answer.Payload.Span, batch[i], out var pointer) || !tried.Add(pointer.AggregateKey))
                {
                    continue;
                }

                var aggregate = await DecodeFromFragmentsAsync(pointer.AggregateKey);
                if (aggregate is not null && Aggregate.Extract(aggregate.Value.Object, key) is { } member)
                {
                    return member;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The pointer audit, like the fragment audit: the holder of copy i checks copy i + 1, and when it is
    /// missing twice in a row puts back every missing copy (their content is known, nothing to decode); the holder of
    /// copy 0 checks the object's replicas and restores them from the aggregate.
    /// </summary>
    private async Task AuditPointerAsync(HeldItem item)
    {
        var (found, payload, _, _) = await ReadHeldAsync(HeldKind.Pointer, item.Key);
        var lease = RemainingLease(item);
        if (!found || lease == 0 || !GlacierPointer.TryOpen(payload, item.Key, out var pointer))
        {
            return;
        }

        var next = new GlacierPointer(pointer.ObjectKey, (pointer.Index + 1) % _options.PointerCopies, pointer.AggregateKey);
        if (await StillMissingAsync(HeldKind.Pointer, next.Key))
        {
            // One loss seen twice: put back every copy that is missing now (a correlated failure takes
            // several at once, and the chain would otherwise restore one per two rounds).
            for (var i = 0; i < _options.PointerCopies; i++)
            {
                var copy = new GlacierPointer(pointer.ObjectKey, i, pointer.AggregateKey);
                if (i != pointer.Index && await ProbeAsync(HeldKind.Pointer, copy.Key) == false && await StorePointerAsync(copy, lease))
                {
                    Counters.Restored++;
                }
            }
        }

        if (pointer.Index == 0 && await StillMissingAsync(HeldKind.Replica, pointer.ObjectKey)
            && await DecodeFromFragmentsAsync(pointer.AggregateKey) is { } aggregate
            && Aggregate.Extract(aggregate.Object, pointer.ObjectKey) is { } member)
        {
            await RestoreReplicasAsync(pointer.ObjectKey, member, lease);
        }
    }

    /// <summary>True when the key's root says it lacks the item now and said so at the last audit too.</summary>
    private async Task<bool> StillMissingAsync(HeldKind kind, BlockKey key)
    {
        if (await ProbeAsync(kind, key) != false)
        {
            _suspected.Remove(key);
            return false;
        }

        if (_suspected.Add(key))
        {
            return false;
        }

        _suspected.Remove(key);
        return true;
    }

    /// <summary>Renews the aggregates that still have a live member; forgets those that have none, so their fragments run out.</summary>
    private void RenewAggregates()
    {
        foreach (var (key, members) in _aggregates.ToList())
        {
            var live = members.Where(m => _owned.TryGetValue(m, out var o) && !o.Released).ToList();
            if (live.Count == 0)
            {
                _aggregates.Remove(key);
                continue;
            }

            Observe(RenewAggregateAsync(key, live));
        }
    }

    private async Task RenewAggregateAsync(BlockKey key, List<BlockKey> live)
    {
        var confirmed = await RenewFragmentsAsync(key);
        foreach (var member in live)
        {
            if (_owned.TryGetValue(member, out var owned))
            {
                owned.FragmentsConfirmed = confirmed;
            }
        }
    }
}
