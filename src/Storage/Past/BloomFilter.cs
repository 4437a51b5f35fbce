using System.Buffers.Binary;

namespace EPostEdge.Storage.Past;

/// <summary>
/// The set summary replica maintenance sends between neighbours (Glacier §4.5, after PAST): a node
/// tells a neighbour which keys it holds in ~10 bits per key, and the neighbour pushes the ones it
/// lacks. A false positive only delays a push to the next round, which uses a fresh salt.
/// </summary>
/// <remarks>Encoding: salt (u64) | hash count (u8) | bit array. Keys are already hashes, so two
/// salted 64-bit words of the key give all k probe positions (Kirsch–Mitzenmacher double hashing).</remarks>
public sealed class BloomFilter
{
    private const int BitsPerKey = 10;
    private const int HashCount = 7;
    private readonly byte[] _bits;
    private readonly ulong _salt;
    private readonly int _hashes;

    /// <summary>An empty filter sized for <paramref name="expectedKeys"/> keys.</summary>
    public BloomFilter(int expectedKeys, ulong salt)
    {
        _bits = new byte[Math.Max(8, ((Math.Max(1, expectedKeys) * BitsPerKey) + 7) / 8)];
        _salt = salt;
        _hashes = HashCount;
    }

    private BloomFilter(byte[] bits, ulong salt, int hashes)
    {
        _bits = bits;
        _salt = salt;
        _hashes = hashes;
    }

    /// <summary>Adds a key (at least 16 bytes, e.g. a SHA-256 key).</summary>
    public void Add(ReadOnlySpan<byte> key)
    {
        var (h1, h2, bits) = Start(key);
        for (var i = 0; i < _hashes; i++)
        {
            var bit = (h1 + ((ulong)i * h2)) % bits;
            _bits[bit >> 3] |= (byte)(1 << (int)(bit & 7));
        }
    }

    /// <summary>Whether the key may have been added (false: it certainly was not).</summary>
    public bool MayContain(ReadOnlySpan<byte> key)
    {
        var (h1, h2, bits) = Start(key);
        for (var i = 0; i < _hashes; i++)
        {
            var bit = (h1 + ((ulong)i * h2)) % bits;
            if ((_bits[bit >> 3] & (1 << (int)(bit & 7))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The wire form.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[9 + _bits.Length];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _salt);
        bytes[8] = (byte)_hashes;
        _bits.CopyTo(bytes, 9);
        return bytes;
    }

    /// <summary>Decodes a filter; null when the bytes are not one.</summary>
    public static BloomFilter? TryDecode(ReadOnlySpan<byte> bytes) =>
        bytes.Length < 10 || bytes[8] is 0 or > 32 ? null : new BloomFilter(bytes[9..].ToArray(), BinaryPrimitives.ReadUInt64BigEndian(bytes), bytes[8]);

    private (ulong H1, ulong H2, ulong Bits) Start(ReadOnlySpan<byte> key)
    {
        var h1 = BinaryPrimitives.ReadUInt64LittleEndian(key) ^ _salt;
        var h2 = (BinaryPrimitives.ReadUInt64LittleEndian(key[8..]) ^ (_salt * 0x9E3779B97F4A7C15UL)) | 1;
        h1 *= 0xBF58476D1CE4E5B9UL;
        h1 ^= h1 >> 31;
        return (h1, h2, (ulong)_bits.Length * 8);
    }
}
