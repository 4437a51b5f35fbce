using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;

namespace EPostEdge.Storage.Past;

/// <summary>Glacier: fragments at n derived keys, decoding from any m, audits that restore what was lost.</summary>
public sealed partial class PastService
{
    // Objects this node is restoring now: n holders may notice the same loss; one restore each is enough.
    private readonly HashSet<BlockKey> _restoring = [];

    // Objects whose audit found a loss last round. Glacier restores only what stays missing: a holder
    // that is merely offline for a while (churn) comes back with its fragment, and restoring at the
    // first miss would leave a surplus copy for every short absence.
    private readonly HashSet<BlockKey> _suspected = [];

    /// <summary>Glacier §4.2: encode, sign the manifest, store fragment i at the root of its derived key (in the background window, in rounds until all are stored).</summary>
    private async Task StoreFragmentsAsync(OwnedObject owned, byte[] content, uint lease)
    {
        var (manifest, fragments, paths) = Encode(owned.Key, content);
        owned.FragmentsConfirmed = await StoreInRoundsAsync(fragments.Length, i => StoreFragmentAsync(manifest, i, fragments[i], paths[i], lease));
    }

    private (FragmentManifest Manifest, byte[][] Fragments, byte[][] Paths) Encode(BlockKey key, byte[] content, bool aggregate = false)
    {
        var fragments = GlacierCode.Encode(content, _options.Fragments, _options.FragmentsNeeded);
        var (root, paths) = MerkleTree.Build(fragments.Select(f => MerkleTree.Leaf(f)).ToList());
        var manifest = FragmentManifest.Sign(_identity, key, content.Length, _options.Fragments, _options.FragmentsNeeded, root, aggregate);
        return (manifest, fragments, paths);
    }

    private async Task<bool> StoreFragmentAsync(FragmentManifest manifest, int index, byte[] fragment, byte[] path, uint lease)
    {
        var key = FragmentKeys.Of(manifest.ObjectKey, index);
        var answer = await PacedRequestAsync(
            new PastMessage { Kind = PastMessageKind.Store, Key = key, Held = HeldKind.Fragment, Index = (ushort)index, LeaseEpochs = lease, Payload = fragment, Extra = Fragment.Extra(manifest, index, path) },
            null,
            FragmentKeys.Placement(key));
        return answer?.Status == (byte)HeldPutResult.Stored;
    }

    /// <summary>
    /// Fetches fragments (m + 2 at first, one more for each that fails) until m valid ones of one
    /// manifest decode to bytes that hash to the key. Corrupt or forged fragments fail their check and
    /// are skipped.
    /// </summary>
    private async Task<(byte[] Object, FragmentManifest Manifest)?> DecodeFromFragmentsAsync(BlockKey key)
    {
        var order = Enumerable.Range(0, _options.Fragments).ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = _random.NextInt32(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var valid = new Dictionary<string, List<(int Index, byte[] Bytes)>>(StringComparer.Ordinal);
        var manifests = new Dictionary<string, FragmentManifest>(StringComparer.Ordinal);
        var next = 0;
        var inFlight = new List<Task<PastMessage?>>();
        var wanted = _options.FragmentsNeeded + 2;
        while (next < order.Length || inFlight.Count > 0)
        {
            while (inFlight.Count < wanted && next < order.Length)
            {
                var fragmentKey = FragmentKeys.Of(key, order[next++]);
                inFlight.Add(RequestAsync(new PastMessage { Kind = PastMessageKind.Fetch, Key = fragmentKey, Held = HeldKind.Fragment }, null, FragmentKeys.Placement(fragmentKey)));
            }

            var done = await Task.WhenAny(inFlight);
            inFlight.Remove(done);
            var answer = await done;
            if (answer is not { Status: 1 }
                || !Fragment.TryOpen(answer.Payload.Span, answer.Extra.Span, out var manifest, out var index)
                || manifest.ObjectKey != key || FragmentKeys.Of(key, index) != answer.Key)
            {
                if (answer is { Status: 1 })
                {
                    Counters.CorruptRejected++;
                }

                wanted = Math.Max(wanted, inFlight.Count + 1);
                continue;
            }

            var root = Convert.ToHexString(manifest.Root);
            manifests.TryAdd(root, manifest);
            if (!valid.TryGetValue(root, out var set))
            {
                valid[root] = set = [];
            }

            set.Add((index, answer.Payload.ToArray()));
            if (set.Count >= manifest.Needed)
            {
                var content = GlacierCode.Decode(set, manifest.Total, manifest.Needed, manifest.ObjectLength);
                if (content is not null && key.Matches(content))
                {
                    Counters.Decodes++;
                    return (content, manifests[root]);
                }

                // m fragments that pass their tree check but do not decode to the key: a forged
                // manifest; its fragments are set aside.
                set.Clear();
            }
        }

        return null;
    }

    /// <summary>
    /// Glacier §4.4's audit, one round: the holder of fragment i checks fragment i + 1 (the holder of
    /// the last checks the first), and the holder of fragment 0 checks the primary replicas. A loss
    /// found in two rounds in a row starts a restore of the whole object. Chained this way every loss has a live checker
    /// as long as any fragment survives, and restoring one fragment revives its own check.
    /// </summary>
    private void Audit()
    {
        // Paced: a node holding thousands of items would otherwise read and check them all in one
        // go on the node's thread and send thousands of probes at once.
        Observe(ForEachPacedAsync(_held.Items(HeldKind.Fragment), AuditOneAsync));
        Observe(ForEachPacedAsync(_held.Items(HeldKind.Pointer), AuditPointerAsync));
    }

    private async Task AuditOneAsync(HeldItem item)
    {
        var (found, payload, extra, _) = await ReadHeldAsync(HeldKind.Fragment, item.Key);
        if (!found || !Fragment.TryOpen(payload, extra, out var manifest, out var index))
        {
            return;
        }

        var lease = RemainingLease(item);
        if (lease == 0)
        {
            return; // this copy runs out now: whether the object lives on is its owner's renewal's business
        }

        var nextKey = FragmentKeys.Of(manifest.ObjectKey, (index + 1) % manifest.Total);
        var missing = await ProbeAsync(HeldKind.Fragment, nextKey) == false;
        if (!missing && index == 0 && !manifest.IsAggregate)
        {
            missing = await ProbeAsync(HeldKind.Replica, manifest.ObjectKey) == false;
        }

        if (!missing)
        {
            _suspected.Remove(manifest.ObjectKey);
        }
        else if (!_suspected.Add(manifest.ObjectKey))
        {
            _suspected.Remove(manifest.ObjectKey);
            await RestoreAsync(manifest, lease);
        }
    }

    /// <summary>True when the key's root holds it, false when it said it does not, null when no answer came.</summary>
    private async Task<bool?> ProbeAsync(HeldKind kind, BlockKey key)
    {
        var answer = await PacedRequestAsync(new PastMessage { Kind = PastMessageKind.Fetch, Key = key, Held = kind, Status = FetchProbe }, null, FragmentKeys.Placement(key));
        return answer is null ? null : answer.Status == 1;
    }

    /// <summary>Decodes the object from any m fragments and puts back every fragment and replica that is missing.</summary>
    private async Task RestoreAsync(FragmentManifest manifest, uint lease)
    {
        if (!_restoring.Add(manifest.ObjectKey))
        {
            return;
        }

        try
        {
            var decoded = await DecodeFromFragmentsAsync(manifest.ObjectKey);
            if (decoded is null)
            {
                return;
            }

            // The code is deterministic, so the fragments come out as they were made and the
            // original manifest (signed by the encoder) still covers them.
            var fragments = GlacierCode.Encode(decoded.Value.Object, manifest.Total, manifest.Needed);
            var (_, paths) = MerkleTree.Build(fragments.Select(f => MerkleTree.Leaf(f)).ToList());
            for (var i = 0; i < manifest.Total; i++)
            {
                if (await ProbeAsync(HeldKind.Fragment, FragmentKeys.Of(manifest.ObjectKey, i)) == false
                    && await StoreFragmentAsync(decoded.Value.Manifest, i, fragments[i], paths[i], lease))
                {
                    Counters.Restored++;
                }
            }

            if (!manifest.IsAggregate && await ProbeAsync(HeldKind.Replica, manifest.ObjectKey) == false)
            {
                await RestoreReplicasAsync(manifest.ObjectKey, decoded.Value.Object, lease);
            }
        }
        finally
        {
            _restoring.Remove(manifest.ObjectKey);
        }
    }
}
