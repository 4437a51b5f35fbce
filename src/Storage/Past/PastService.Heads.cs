using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using EPostEdge.Overlay.Ids;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Past;

/// <summary>
/// Versioned mutable records (DhtFlex / Etna): a log head lives on the replica set of its record
/// key. A write is acknowledged once a majority holds it (or a newer one: compare-and-set on the
/// version counter at each replica); a read asks the set and returns the highest validly signed
/// version among a majority's answers. Majorities intersect, so once a head was acknowledged no
/// read that reaches a majority of the same set returns an older one.
/// </summary>
public sealed partial class PastService
{
    private static readonly byte[] HeadKeyDomain = "epost-edge/log-head-key/v1"u8.ToArray();

    // The heads this node writes (its users' logs): renewed with its objects.
    private readonly SortedSet<BlockKey> _ownedHeads = [];

    /// <summary>The record key of a user's log head: SHA-256(domain || owner keys || log name).</summary>
    public static BlockKey HeadKey(UserPublicKeys owner, string logName)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var name = Encoding.UTF8.GetBytes(logName);
        var input = new byte[HeadKeyDomain.Length + UserPublicKeys.EncodedSize + name.Length];
        HeadKeyDomain.CopyTo(input, 0);
        owner.Encode(input.AsSpan(HeadKeyDomain.Length));
        name.CopyTo(input, HeadKeyDomain.Length + UserPublicKeys.EncodedSize);
        return new BlockKey(SHA256.HashData(input));
    }

    /// <summary>Writes a head to a majority of its replica set; the outcome says whether it was acknowledged and the highest version seen.</summary>
    public Task<HeadWriteOutcome> WriteHeadAsync(LogHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var key = HeadKey(head.Owner, head.LogName);
        var bytes = head.Encode();
        Task<HeadWriteOutcome>? task = null;
        _kbr.Execute(() => task = WriteHeadOnNodeAsync(key, head.Version, bytes));
        return task!;
    }

    /// <summary>Reads a head: the highest validly signed version a majority of its replica set returned; null when none holds one (or no majority answered).</summary>
    public Task<LogHead?> ReadHeadAsync(UserPublicKeys owner, string logName)
    {
        var key = HeadKey(owner, logName);
        Task<LogHead?>? task = null;
        _kbr.Execute(() => task = ReadHeadOnNodeAsync(key));
        return task!;
    }

    private async Task<HeadWriteOutcome> WriteHeadOnNodeAsync(BlockKey key, ulong version, byte[] bytes)
    {
        _ownedHeads.Add(key);
        var answer = await RequestAsync(new PastMessage { Kind = PastMessageKind.HeadWrite, Key = key, Held = HeldKind.Head, Version = version, LeaseEpochs = (uint)_options.LeaseEpochs, Payload = bytes }, null, FragmentKeys.Placement(key));
        var count = answer?.Count ?? 0;
        return new HeadWriteOutcome(version, count, count >= _options.Quorum, answer?.Version ?? 0);
    }

    private async Task<LogHead?> ReadHeadOnNodeAsync(BlockKey key)
    {
        var answer = await RequestAsync(new PastMessage { Kind = PastMessageKind.HeadRead, Key = key, Held = HeldKind.Head }, null, FragmentKeys.Placement(key));
        return answer is { Status: 1 } && TryOpenHead(key, answer.Payload.Span, out var head) ? head : null;
    }

    /// <summary>At the record key's root: store on every replica (each does its own compare-and-set), count those that hold this version.</summary>
    private async Task OnHeadWriteAsync(PastMessage write, NodeHandle source)
    {
        if (!TryOpenHead(write.Key, write.Payload.Span, out var head))
        {
            Counters.CorruptRejected++;
            Reply(source, new PastMessage { Kind = PastMessageKind.HeadWriteAck, Request = write.Request, Key = write.Key });
            return;
        }

        var replicaSet = _kbr.ReplicaSet(FragmentKeys.Placement(write.Key), _options.Replicas);
        var store = new PastMessage { Kind = PastMessageKind.Store, Key = write.Key, Held = HeldKind.Head, Version = head.Version, LeaseEpochs = write.LeaseEpochs, Payload = write.Payload };
        var answers = await Task.WhenAll(replicaSet.Select(member => RequestAsync(store, member, default)));
        var count = answers.Count(a => a?.Status == (byte)HeldPutResult.Stored);
        var highest = answers.Where(a => a is not null).Select(a => a!.Version).DefaultIfEmpty(0UL).Max();
        Reply(source, new PastMessage { Kind = PastMessageKind.HeadWriteAck, Request = write.Request, Key = write.Key, Count = (ushort)count, Version = Math.Max(highest, head.Version) });
    }

    /// <summary>At the record key's root: read every replica, answer with the highest valid version once a majority answered; repair the stale ones.</summary>
    private async Task OnHeadReadAsync(PastMessage read, NodeHandle source)
    {
        var replicaSet = _kbr.ReplicaSet(FragmentKeys.Placement(read.Key), _options.Replicas);
        var fetch = new PastMessage { Kind = PastMessageKind.Fetch, Key = read.Key, Held = HeldKind.Head, Status = FetchDirect };
        var answers = await Task.WhenAll(replicaSet.Select(member => RequestAsync(fetch, member, default)));
        var answered = answers.Count(a => a is not null);
        LogHead? best = null;
        byte[]? bestBytes = null;
        foreach (var answer in answers)
        {
            if (answer is { Status: 1 } && TryOpenHead(read.Key, answer.Payload.Span, out var head) && (best is null || head.Version > best.Version))
            {
                best = head;
                bestBytes = answer.Payload.ToArray();
            }
        }

        var majority = answered >= Math.Min(_options.Quorum, replicaSet.Count);
        Reply(source, new PastMessage
        {
            Kind = PastMessageKind.HeadReadReply,
            Request = read.Request,
            Key = read.Key,
            Status = majority && best is not null ? (byte)1 : (byte)0,
            Version = best?.Version ?? 0,
            Payload = majority && bestBytes is not null ? bestBytes : default,
        });

        if (best is not null && bestBytes is not null)
        {
            // Read repair: replicas that answered with an older head (or none) get the newest.
            for (var i = 0; i < replicaSet.Count; i++)
            {
                if (answers[i] is { } a && (a.Status != 1 || a.Version < best.Version))
                {
                    _kbr.Send(replicaSet[i], ApplicationId, new PastMessage { Kind = PastMessageKind.Store, Key = read.Key, Held = HeldKind.Head, Version = best.Version, LeaseEpochs = (uint)_options.LeaseEpochs, Payload = bestBytes }.Encode());
                }
            }
        }
    }

    /// <summary>A head is valid for a record key when it decodes, its owner signed it, and the key is its (owner, log name).</summary>
    private static bool TryOpenHead(BlockKey key, ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out LogHead? head)
    {
        if (LogHead.TryDecode(bytes, out head) && head.VerifySignature() && HeadKey(head.Owner, head.LogName) == key)
        {
            return true;
        }

        head = null;
        return false;
    }
}
