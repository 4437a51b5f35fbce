using System.Buffers.Binary;
using System.Net;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

/// <summary>
/// Reads the fields <see cref="WireWriter"/> writes. Every read is length-checked and returns
/// false instead of throwing, so a truncated or garbage datagram is rejected by the decoder, never
/// by an exception in the receive loop.
/// </summary>
public ref struct WireReader
{
    private ReadOnlySpan<byte> _rest;

    public WireReader(ReadOnlySpan<byte> bytes)
    {
        _rest = bytes;
    }

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _rest.Length;

    /// <summary>The bytes not yet read.</summary>
    public readonly ReadOnlySpan<byte> Rest => _rest;

    public bool TryReadByte(out byte value)
    {
        if (_rest.IsEmpty)
        {
            value = 0;
            return false;
        }

        value = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    public bool TryReadBool(out bool value)
    {
        value = false;
        if (!TryReadByte(out var b) || b > 1)
        {
            return false;
        }

        value = b == 1;
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (!BinaryPrimitives.TryReadUInt16BigEndian(_rest, out value))
        {
            return false;
        }

        _rest = _rest[2..];
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (!BinaryPrimitives.TryReadUInt32BigEndian(_rest, out value))
        {
            return false;
        }

        _rest = _rest[4..];
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (!BinaryPrimitives.TryReadUInt64BigEndian(_rest, out value))
        {
            return false;
        }

        _rest = _rest[8..];
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || count > _rest.Length)
        {
            bytes = default;
            return false;
        }

        bytes = _rest[..count];
        _rest = _rest[count..];
        return true;
    }

    public bool TryReadShortBlob(out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        return TryReadUInt16(out var length) && TryReadBytes(length, out bytes);
    }

    public bool TryReadBlob(out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        return TryReadUInt32(out var length) && length <= int.MaxValue && TryReadBytes((int)length, out bytes);
    }

    public bool TryReadId(out NodeId id)
    {
        id = default;
        if (!TryReadBytes(NodeId.Size, out var bytes))
        {
            return false;
        }

        id = NodeId.Read(bytes);
        return true;
    }

    public bool TryReadEndPoint(out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (!TryReadByte(out var family))
        {
            return false;
        }

        var size = family switch { 4 => 4, 6 => 16, _ => -1 };
        if (size < 0 || !TryReadBytes(size, out var address) || !TryReadUInt16(out var port))
        {
            return false;
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    public bool TryReadHandle(out NodeHandle? handle)
    {
        handle = null;
        if (!TryReadId(out var id) || !TryReadEndPoint(out var endPoint))
        {
            return false;
        }

        handle = new NodeHandle(id, endPoint!);
        return true;
    }

    public bool TryReadHandles(out List<NodeHandle>? handles)
    {
        handles = null;
        if (!TryReadByte(out var count))
        {
            return false;
        }

        var list = new List<NodeHandle>(count);
        for (var i = 0; i < count; i++)
        {
            if (!TryReadHandle(out var handle))
            {
                return false;
            }

            list.Add(handle!);
        }

        handles = list;
        return true;
    }
}
