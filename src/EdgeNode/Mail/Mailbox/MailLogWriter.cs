using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>Primitives of the mail logs' compact binary entries: LEB128 varints, length-prefixed UTF-8, raw keys.</summary>
internal sealed class MailLogWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public void Byte(byte value) => _buffer.Write([value]);

    public void VarUInt(ulong value)
    {
        Span<byte> bytes = stackalloc byte[10];
        var n = 0;
        while (value >= 0x80)
        {
            bytes[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        bytes[n++] = (byte)value;
        _buffer.Write(bytes[..n]);
    }

    public void Int64(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        VarUInt((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    public void Strings(IReadOnlyList<string> values)
    {
        VarUInt((ulong)values.Count);
        foreach (var value in values)
        {
            String(value);
        }
    }

    public void Key(BlockKey key) => _buffer.Write(key.Span);

    /// <summary>Strictly ascending UIDs as deltas from the previous one (the first from 0).</summary>
    public void Uids(IReadOnlyList<uint> uids)
    {
        VarUInt((ulong)uids.Count);
        uint previous = 0;
        foreach (var uid in uids)
        {
            if (uid <= previous)
            {
                throw new ArgumentException("UIDs must be strictly ascending and non-zero", nameof(uids));
            }

            VarUInt(uid - previous);
            previous = uid;
        }
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
