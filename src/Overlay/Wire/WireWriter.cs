using System.Buffers.Binary;
using System.Net;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

/// <summary>
/// Appends the overlay's big-endian wire fields to a growable buffer. Encoders write through
/// this; <see cref="WireReader"/> is its exact inverse.
/// </summary>
public sealed class WireWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with room for <paramref name="capacity"/> bytes before it grows.</summary>
    public WireWriter(int capacity = 256)
    {
        _buffer = new byte[Math.Max(16, capacity)];
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far (a view; valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Clear() => _length = 0;

    /// <summary>Reserves <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>A length-prefixed (u16) byte string; at most 65535 bytes.</summary>
    public void WriteShortBlob(ReadOnlySpan<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes.Length, ushort.MaxValue);
        WriteUInt16((ushort)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>A length-prefixed (u32) byte string.</summary>
    public void WriteBlob(ReadOnlySpan<byte> bytes)
    {
        WriteUInt32((uint)bytes.Length);
        WriteBytes(bytes);
    }

    public void WriteId(NodeId id) => id.WriteTo(Reserve(NodeId.Size));

    /// <summary>Family (4 or 6), the address bytes, the port: 7 or 19 bytes.</summary>
    public void WriteEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            WriteByte(4);
            address.TryWriteBytes(Reserve(4), out _);
        }
        else
        {
            WriteByte(6);
            address.TryWriteBytes(Reserve(16), out _);
        }

        WriteUInt16((ushort)endPoint.Port);
    }

    public void WriteHandle(NodeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        WriteId(handle.Id);
        WriteEndPoint(handle.EndPoint);
    }

    /// <summary>A count (u8) and that many handles; at most 255.</summary>
    public void WriteHandles(IReadOnlyCollection<NodeHandle> handles)
    {
        ArgumentNullException.ThrowIfNull(handles);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(handles.Count, byte.MaxValue);
        WriteByte((byte)handles.Count);
        foreach (var handle in handles)
        {
            WriteHandle(handle);
        }
    }
}
