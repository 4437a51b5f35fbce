using System.Buffers.Binary;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Past;

/// <summary>The held journal's records: put (kind, key, lease expiry, version, bytes), renew, remove; and how a replay applies them.</summary>
public sealed partial class LocalHeldStore
{
    // Record kinds of the held journal.
    private const byte PutRecord = 1;
    private const byte RenewRecord = 2;
    private const byte RemoveRecord = 3;

    private const int IdSize = 1 + BlockKey.Size;
    private const int PutHeaderSize = IdSize + 8 + 8;
    private const int RenewSize = IdSize + 8;

    private static void WriteId(Span<byte> destination, HeldKind kind, BlockKey key)
    {
        destination[0] = (byte)kind;
        key.Span.CopyTo(destination[1..]);
    }

    private static bool TryReadId(ReadOnlySpan<byte> payload, out HeldKind kind, out BlockKey key)
    {
        kind = default;
        key = default;
        if (payload.Length < IdSize || payload[0] is < (byte)HeldKind.Replica or > (byte)HeldKind.Pointer)
        {
            return false;
        }

        kind = (HeldKind)payload[0];
        key = new BlockKey(payload.Slice(1, BlockKey.Size));
        return true;
    }

    /// <summary>One record of the open scan, applied to the index by the rules the live index follows.</summary>
    private static void Replay(SortedDictionary<BlockKey, Entry>[] items, JournalRecord record)
    {
        var payload = record.Payload.Span;
        if (!TryReadId(payload, out var kind, out var key))
        {
            return; // a kind from a newer version, or a record of no held kind: not ours to interpret
        }

        var index = Of(items, kind);
        switch (record.Kind)
        {
            case PutRecord when payload.Length >= PutHeaderSize:
                var lease = BinaryPrimitives.ReadInt64BigEndian(payload[IdSize..]);
                var version = BinaryPrimitives.ReadUInt64BigEndian(payload[(IdSize + 8)..]);
                index[key] = new Entry(new HeldItem(kind, key, payload.Length - PutHeaderSize, lease, version), record.Position);
                break;
            case RenewRecord when payload.Length >= RenewSize && index.TryGetValue(key, out var entry):
                var renewed = BinaryPrimitives.ReadInt64BigEndian(payload[IdSize..]);
                if (entry.Item.LeaseExpiresAt < renewed)
                {
                    entry.Item = entry.Item with { LeaseExpiresAt = renewed };
                }

                break;
            case RemoveRecord:
                index.Remove(key);
                break;
        }
    }
}
