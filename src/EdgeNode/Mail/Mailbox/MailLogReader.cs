using System.Buffers.Binary;
using System.Text;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>Reads what <see cref="MailLogWriter"/> writes; every malformed input is a <see cref="FormatException"/>.</summary>
internal ref struct MailLogReader(ReadOnlySpan<byte> bytes)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlySpan<byte> _rest = bytes;

    public readonly bool AtEnd => _rest.IsEmpty;

    public readonly int Remaining => _rest.Length;

    public byte Byte()
    {
        if (_rest.IsEmpty)
        {
            throw new FormatException("mail log entry: truncated");
        }

        var value = _rest[0];
        _rest = _rest[1..];
        return value;
    }

    public ulong VarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            if (shift == 63 && b > 1)
            {
                throw new FormatException("mail log entry: varint overflows 64 bits");
            }

            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("mail log entry: varint too long");
    }

    public uint VarUInt32() => VarUInt() is var v && v <= uint.MaxValue ? (uint)v : throw new FormatException("mail log entry: value exceeds 32 bits");

    /// <summary>A count of items each at least <paramref name="minItemBytes"/> long: bounded by what is left, so a forged count cannot allocate without bound.</summary>
    public int Count(int minItemBytes)
    {
        var count = VarUInt();
        return count <= (ulong)(_rest.Length / Math.Max(1, minItemBytes)) ? (int)count : throw new FormatException("mail log entry: count larger than the entry");
    }

    public long Int64()
    {
        var bytes = Take(8);
        return BinaryPrimitives.ReadInt64BigEndian(bytes);
    }

    public string String()
    {
        var length = Count(1);
        var bytes = Take(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("mail log entry: string is not UTF-8", e);
        }
    }

    public string[] Strings()
    {
        var count = Count(1);
        if (count == 0)
        {
            return [];
        }

        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = String();
        }

        return values;
    }

    public BlockKey Key() => new(Take(BlockKey.Size));

    public uint[] Uids()
    {
        var count = Count(1);
        var uids = new uint[count];
        ulong previous = 0;
        for (var i = 0; i < count; i++)
        {
            var delta = VarUInt();
            if (delta == 0 || previous + delta > uint.MaxValue)
            {
                throw new FormatException("mail log entry: UIDs not strictly ascending 32-bit values");
            }

            previous += delta;
            uids[i] = (uint)previous;
        }

        return uids;
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (_rest.Length < length)
        {
            throw new FormatException("mail log entry: truncated");
        }

        var taken = _rest[..length];
        _rest = _rest[length..];
        return taken;
    }
}
