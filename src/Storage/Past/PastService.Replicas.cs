using EPostEdge.Overlay.Ids;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;

namespace EPostEdge.Storage.Past;

/// <summary>PAST: inserts on the k closest nodes, verified lookups.</summary>
public sealed partial class PastService
{
    /// <summary>
    /// PAST insert: routes the block to its key's root, which stores it on the k closest nodes
    /// (itself included); acknowledged once a majority of them confirmed. Then, in the background,
    /// the block is erasure-coded into Glacier fragments.
    /// </summary>
    /// <param name="content">The block (a secure block's ciphertext: its key is its SHA-256).</param>
    /// <param name="user">The local user it counts against (per-user quota).</param>
    /// <exception cref="QuotaExceededException">The user's share of the overlay is used up; nothing was sent.</exception>
    public Task<InsertOutcome> InsertAsync(ReadOnlyMemory<byte> content, string user = "")
    {
        ArgumentNullException.ThrowIfNull(user);
        var bytes = content.ToArray();
        Task<InsertOutcome>? task = null;
        _kbr.Execute(() => task = InsertOnNodeAsync(bytes, user));
        return task!;
    }

    /// <summary>
    /// A verified read: the closest live replica (through the key's root), and when no replica
    /// answers, the object decoded from any m Glacier fragments (which then restores the replicas).
    /// Null when neither could be found.
    /// </summary>
    public Task<byte[]?> ReadAsync(BlockKey key)
    {
        Task<byte[]?>? task = null;
        _kbr.Execute(() => task = ReadOnNodeAsync(key));
        return task!;
    }

    /// <summary>Stops renewing an object (expunged mail, spam): its holders collect it when its lease runs out.</summary>
    public void Release(BlockKey key) => _kbr.Execute(() =>
    {
        if (_owned.TryGetValue(key, out var owned))
        {
            owned.Released = true;
        }
    });

    private async Task<InsertOutcome> InsertOnNodeAsync(byte[] content, string user)
    {
        var key = BlockKey.Of(content);
        if (!_owned.TryGetValue(key, out var owned))
        {
            if (_options.UserQuotaBytes > 0)
            {
                var used = _owned.Values.Where(o => !o.Released && o.User == user).Sum(o => (long)o.Length);
                if (used + content.Length > _options.UserQuotaBytes)
                {
                    throw new QuotaExceededException($"user '{user}' would own {used + content.Length} bytes in the overlay, over the quota of {_options.UserQuotaBytes}");
                }
            }

            owned = new OwnedObject(key, content.Length, user);
            _owned.Add(key, owned);
        }

        owned.Released = false;
        var answer = await RequestAsync(
            new PastMessage { Kind = PastMessageKind.Insert, Key = key, Held = HeldKind.Replica, LeaseEpochs = (uint)_options.LeaseEpochs, Payload = content },
            null,
            FragmentKeys.Placement(key));
        var replicas = answer?.Count ?? 0;
        owned.ReplicasConfirmed = replicas;
        var outcome = new InsertOutcome(key, replicas, replicas >= Math.Min(_options.Quorum, _options.Replicas), answer?.Status == (byte)HeldPutResult.QuotaFull);
        if (outcome.Acknowledged && replicas < _options.Replicas && !outcome.QuotaRefused)
        {
            Observe(TopUpReplicasAsync(owned, content, (uint)_options.LeaseEpochs));
        }

        if (outcome.Acknowledged && _options.Glacier && owned.FragmentsConfirmed == 0 && owned.Aggregate is null)
        {
            if (content.Length < _options.AggregateBelow)
            {
                AddToAggregate(owned, content, (uint)_options.LeaseEpochs);
            }
            else
            {
                Observe(StoreFragmentsAsync(owned, content, (uint)_options.LeaseEpochs));
            }
        }

        return outcome;
    }

    /// <summary>At the key's root: store here and on the rest of the replica set, answer with the count.</summary>
    private async Task OnInsertAsync(PastMessage insert, Overlay.Ids.NodeHandle source)
    {
        if (!insert.Key.Matches(insert.Payload.Span))
        {
            Counters.CorruptRejected++;
            Reply(source, new PastMessage { Kind = PastMessageKind.InsertAck, Request = insert.Request, Key = insert.Key });
            return;
        }

        var (count, quotaFull) = await StoreOnReplicaSetAsync(HeldKind.Replica, insert.Key, insert.Payload, insert.LeaseEpochs, 0);
        Reply(source, new PastMessage
        {
            Kind = PastMessageKind.InsertAck,
            Request = insert.Request,
            Key = insert.Key,
            Count = (ushort)count,
            Status = quotaFull ? (byte)HeldPutResult.QuotaFull : (byte)HeldPutResult.Stored,
        });
    }

    /// <summary>Stores one item on every member of its replica set (this node included); returns how many confirmed.</summary>
    private async Task<(int Count, bool QuotaFull)> StoreOnReplicaSetAsync(HeldKind kind, BlockKey key, ReadOnlyMemory<byte> bytes, uint lease, ulong version)
    {
        var replicaSet = _kbr.ReplicaSet(FragmentKeys.Placement(key), _options.Replicas);
        var store = new PastMessage { Kind = PastMessageKind.Store, Key = key, Held = kind, LeaseEpochs = lease, Version = version, Payload = bytes };
        var answers = await Task.WhenAll(replicaSet.Select(member => RequestAsync(store, member, default)));
        var count = answers.Count(a => a?.Status == (byte)HeldPutResult.Stored);
        return (count, answers.Any(a => a?.Status == (byte)HeldPutResult.QuotaFull));
    }

    /// <summary>A holder stores a replica, fragment or head after checking it.</summary>
    private async Task OnStoreAsync(PastMessage store, Overlay.Ids.NodeHandle source)
    {
        var result = await AcceptAsync(store);
        if (store.Request != 0)
        {
            Reply(source, new PastMessage { Kind = PastMessageKind.StoreAck, Request = store.Request, Key = store.Key, Held = store.Held, Status = (byte)result, Version = HeldVersion(store.Held, store.Key) });
        }
    }

    /// <summary>
    /// Checks an item and stores it. Replicas must hash to their key, fragments must match their
    /// signed manifest, heads must be validly signed and newer than the one held (compare-and-set on
    /// the version counter). An older head is not an error: the answer carries the version held.
    /// </summary>
    private async ValueTask<HeldPutResult> AcceptAsync(PastMessage store)
    {
        var lease = Epoch + Math.Max(1, store.LeaseEpochs);
        byte[] blob;
        var version = 0UL;
        switch (store.Held)
        {
            case HeldKind.Replica when store.Key.Matches(store.Payload.Span):
                blob = store.Payload.ToArray();
                break;
            case HeldKind.Fragment when Fragment.TryOpen(store.Payload.Span, store.Extra.Span, out var manifest, out var index)
                                        && FragmentKeys.Of(manifest.ObjectKey, index) == store.Key:
                blob = PackFragment(store.Extra.Span, store.Payload.Span);
                break;
            case HeldKind.Pointer when GlacierPointer.TryOpen(store.Payload.Span, store.Key, out _):
                blob = store.Payload.ToArray();
                break;
            case HeldKind.Head when TryOpenHead(store.Key, store.Payload.Span, out var head):
                version = head.Version;
                if (_held.Find(HeldKind.Head, store.Key) is { } current && current.Version >= version)
                {
                    // CAS: never replace a newer (or the same) head; renew it instead.
                    _held.Renew(HeldKind.Head, store.Key, lease);
                    return current.Version == version ? HeldPutResult.Stored : HeldPutResult.Failed;
                }

                blob = store.Payload.ToArray();
                break;
            default:
                Counters.CorruptRejected++;
                return HeldPutResult.Failed;
        }

        if (_held.Find(store.Held, store.Key) is { } existing && store.Held != HeldKind.Head)
        {
            _held.Renew(store.Held, store.Key, lease);
            return existing.Length == blob.Length ? HeldPutResult.Stored : await PutAsync(store.Held, store.Key, blob, lease, version);
        }

        return await PutAsync(store.Held, store.Key, blob, lease, version);
    }

    private async ValueTask<HeldPutResult> PutAsync(HeldKind kind, BlockKey key, byte[] blob, long lease, ulong version)
    {
        var result = await _held.PutAsync(new HeldItem(kind, key, blob.Length, lease, version), blob);
        await OnNodeThread(); // a disk write may complete on any thread
        if (result == HeldPutResult.QuotaFull)
        {
            Counters.QuotaRefusals++;
        }

        return result;
    }

    private ulong HeldVersion(HeldKind kind, BlockKey key) => kind == HeldKind.Head && _held.Find(kind, key) is { } item ? item.Version : 0;

    /// <summary>
    /// Answers a fetch with what this node holds, verified; a routed fetch of a replica that the
    /// root lacks (a new root after failures, before maintenance) asks the rest of the replica set.
    /// </summary>
    private async Task OnFetchAsync(PastMessage fetch, Overlay.Ids.NodeHandle source)
    {
        var probe = (fetch.Status & FetchProbe) != 0;
        var (found, payload, extra, version) = await ReadHeldAsync(fetch.Held, fetch.Key);
        if (!found && fetch.Held == HeldKind.Replica && (fetch.Status & FetchDirect) == 0)
        {
            // The members in parallel, so the root answers within the requester's patience.
            var members = _kbr.ReplicaSet(FragmentKeys.Placement(fetch.Key), _options.Replicas).Where(m => m.Id != Local.Id).ToList();
            var request = new PastMessage { Kind = PastMessageKind.Fetch, Key = fetch.Key, Held = HeldKind.Replica, Status = FetchDirect };
            var answers = await Task.WhenAll(members.Select(member => RequestAsync(request, member, default)));
            if (answers.FirstOrDefault(a => a is { Status: 1, LeaseEpochs: > 0 } && fetch.Key.Matches(a.Payload.Span)) is { } answer)
            {
                found = true;
                payload = answer.Payload.ToArray();
                // Read repair: the root keeps a copy, as maintenance would have made it.
                await AcceptAsync(new PastMessage { Kind = PastMessageKind.Store, Key = fetch.Key, Held = HeldKind.Replica, LeaseEpochs = answer.LeaseEpochs, Payload = payload });
            }
        }

        Reply(source, new PastMessage
        {
            Kind = PastMessageKind.FetchReply,
            Request = fetch.Request,
            Key = fetch.Key,
            Held = fetch.Held,
            Status = found ? (byte)1 : (byte)0,
            Version = version,
            LeaseEpochs = _held.Find(fetch.Held, fetch.Key) is { } item ? RemainingLease(item) : 0,
            Payload = probe ? default : payload,
            Extra = probe ? default : extra,
        });
    }

    /// <summary>Reads and re-verifies a held item; a corrupt one (a latent sector error) is dropped and reported as not held.</summary>
    private async ValueTask<(bool Found, byte[] Payload, byte[] Extra, ulong Version)> ReadHeldAsync(HeldKind kind, BlockKey key)
    {
        if (_held.Find(kind, key) is not { } item)
        {
            return (false, [], [], 0);
        }

        var blob = await _held.ReadAsync(kind, key);
        var ok = blob is not null;
        byte[] payload = blob ?? [];
        byte[] extra = [];
        if (ok && kind == HeldKind.Fragment)
        {
            ok = UnpackFragment(blob!, out extra, out payload) && Fragment.TryOpen(payload, extra, out _, out _);
        }
        else if (ok && kind == HeldKind.Replica)
        {
            ok = key.Matches(payload);
        }
        else if (ok && kind == HeldKind.Head)
        {
            ok = TryOpenHead(key, payload, out _);
        }
        else if (ok && kind == HeldKind.Pointer)
        {
            ok = GlacierPointer.TryOpen(payload, key, out _);
        }

        if (!ok)
        {
            Counters.CorruptRejected++;
            _held.Remove(kind, key);
            return (false, [], [], 0);
        }

        return (true, payload, extra, item.Version);
    }

    private async Task<byte[]?> ReadOnNodeAsync(BlockKey key)
    {
        var (found, local, _, _) = await ReadHeldAsync(HeldKind.Replica, key);
        if (found)
        {
            return local;
        }

        var answer = await RequestAsync(new PastMessage { Kind = PastMessageKind.Fetch, Key = key, Held = HeldKind.Replica }, null, FragmentKeys.Placement(key));
        if (answer is { Status: 1 } && key.Matches(answer.Payload.Span))
        {
            return answer.Payload.ToArray();
        }

        if (answer is { Status: 1 })
        {
            Counters.CorruptRejected++;
        }

        if (!_options.Glacier)
        {
            return null;
        }

        // A small object is inside an aggregate (try a few of its pointers first: cheap when there
        // are none), a large one has fragments of its own; then the rest of the pointers.
        var copies = Enumerable.Range(0, _options.PointerCopies).OrderBy(_ => _random.NextUInt64()).ToList();
        var content = await ReadViaPointersAsync(key, copies.Take(4).ToList())
            ?? (await DecodeFromFragmentsAsync(key))?.Object
            ?? await ReadViaPointersAsync(key, copies.Skip(4).ToList());
        if (content is not null)
        {
            // Glacier §4.6: an object recovered from fragments is put back into primary storage.
            Observe(RestoreReplicasAsync(key, content, (uint)_options.LeaseEpochs));
        }

        return content;
    }

    private async Task RestoreReplicasAsync(BlockKey key, byte[] content, uint lease)
    {
        var answer = await PacedRequestAsync(new PastMessage { Kind = PastMessageKind.Insert, Key = key, Held = HeldKind.Replica, LeaseEpochs = lease, Payload = content }, null, FragmentKeys.Placement(key));
        if (answer is { Count: > 0 })
        {
            Counters.Restored++;
        }
    }

    private static byte[] PackFragment(ReadOnlySpan<byte> extra, ReadOnlySpan<byte> payload)
    {
        var blob = new byte[4 + extra.Length + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(blob, extra.Length);
        extra.CopyTo(blob.AsSpan(4));
        payload.CopyTo(blob.AsSpan(4 + extra.Length));
        return blob;
    }

    private static bool UnpackFragment(byte[] blob, out byte[] extra, out byte[] payload)
    {
        extra = [];
        payload = [];
        if (blob.Length < 4)
        {
            return false;
        }

        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(blob);
        if (length < 0 || 4 + length > blob.Length)
        {
            return false;
        }

        extra = blob.AsSpan(4, length).ToArray();
        payload = blob.AsSpan(4 + length).ToArray();
        return true;
    }
}
