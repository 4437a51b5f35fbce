using System.Buffers.Binary;
using System.Net;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// Length-checked reads over a span for the certificate, invite and enrollment decoders: every
/// read says false instead of throwing when the input is too short, so a decoder fed garbage
/// from the network returns false and never throws.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public WireReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Consumed => _position;

    /// <summary>True when every byte was read.</summary>
    public readonly bool AtEnd => _position == _bytes.Length;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Rest => _bytes[_position..];

    public bool TryReadByte(out byte value)
    {
        if (_position >= _bytes.Length)
        {
            value = 0;
            return false;
        }

        value = _bytes[_position++];
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || _bytes.Length - _position < count)
        {
            value = default;
            return false;
        }

        value = _bytes.Slice(_position, count);
        _position += count;
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (!TryReadBytes(sizeof(ushort), out var bytes))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (!TryReadBytes(sizeof(uint), out var bytes))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    /// <summary>An endpoint as <see cref="WireWriter.WriteEndPoint"/> writes it: family byte (4 or 6), address, big-endian port.</summary>
    public bool TryReadEndPoint(out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (!TryReadByte(out var family))
        {
            return false;
        }

        var addressSize = family switch
        {
            WireWriter.FamilyV4 => 4,
            WireWriter.FamilyV6 => 16,
            _ => -1,
        };
        if (addressSize < 0 || !TryReadBytes(addressSize, out var address) || !TryReadUInt16(out var port))
        {
            return false;
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    /// <summary>Advances past <paramref name="count"/> bytes that a nested decoder has read.</summary>
    public void Skip(int count) => _position += count;
}
