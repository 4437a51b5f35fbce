using System.Buffers.Binary;

namespace EPostEdge.Storage.Post;

/// <summary>
/// A length-checked cursor over POST encodings. Every read says whether the bytes were there;
/// decoders turn a false into <see cref="PostFormatException"/>, so malformed input can never
/// surface as an index exception.
/// </summary>
internal ref struct PostReader
{
    private ReadOnlySpan<byte> _rest;

    public PostReader(ReadOnlySpan<byte> input) => _rest = input;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _rest.Length;

    /// <summary>How many bytes have been consumed from <paramref name="original"/> (the same span the reader was made from).</summary>
    public readonly int Consumed(ReadOnlySpan<byte> original) => original.Length - _rest.Length;

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

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || _rest.Length < count)
        {
            value = default;
            return false;
        }

        value = _rest[..count];
        _rest = _rest[count..];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (!TryReadBytes(2, out var bytes))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (!TryReadBytes(4, out var bytes))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (!TryReadBytes(8, out var bytes))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return true;
    }

    /// <summary>Takes everything that is left.</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _rest;
        _rest = default;
        return rest;
    }
}
