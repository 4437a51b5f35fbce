using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Ids;

/// <summary>
/// A point on Pastry's 160-bit circular id space: a node's id or an object's key (Pastry §2:
/// both live in the same space, and a key belongs to the node numerically closest to it).
/// Digits are hexadecimal (b = 4), most significant first, so an id has 40 digits and the
/// routing table has at most 40 rows.
/// </summary>
/// <remarks>
/// Held as three big-endian words (<see cref="_high"/> holds bits 159..96, <see cref="_middle"/>
/// bits 95..32, <see cref="_low"/> bits 31..0), so comparison, subtraction and digit extraction
/// are a few integer operations and the struct is blittable.
/// </remarks>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    /// <summary>Bytes in an id.</summary>
    public const int Size = 20;

    /// <summary>Hexadecimal digits in an id (b = 4, Pastry §2.1).</summary>
    public const int Digits = 40;

    /// <summary>Bits per digit: b in the Pastry paper.</summary>
    public const int BitsPerDigit = 4;

    /// <summary>Values a digit can take: 2^b.</summary>
    public const int Radix = 16;

    private readonly ulong _high;
    private readonly ulong _middle;
    private readonly uint _low;

    private NodeId(ulong high, ulong middle, uint low)
    {
        _high = high;
        _middle = middle;
        _low = low;
    }

    /// <summary>The id 0.</summary>
    public static NodeId Zero => default;

    /// <summary>The largest id, 2^160 - 1.</summary>
    public static NodeId Max => new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue);

    /// <summary>Half the ring, 2^159: the largest circular distance two ids can have.</summary>
    public static NodeId Half => new(1UL << 63, 0, 0);

    /// <summary>Reads an id from its 20 big-endian bytes.</summary>
    public static NodeId Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Size)
        {
            throw new ArgumentException($"an id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        return new NodeId(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]));
    }

    /// <summary>Writes the id's 20 big-endian bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"an id needs {Size} bytes, got {destination.Length}", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _middle);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _low);
    }

    /// <summary>The id's 20 big-endian bytes.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>
    /// The key of some content: the first 160 bits of its SHA-256. A node's id is this hash of
    /// its public signing key (ePOST's certified nodeIds: an id cannot be chosen, only drawn).
    /// </summary>
    public static NodeId Hash(ReadOnlySpan<byte> content)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, digest);
        return Read(digest);
    }

    /// <summary>A uniformly random id, drawn from the run's random source.</summary>
    public static NodeId Random(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[Size];
        random.NextBytes(bytes);
        return Read(bytes);
    }

    /// <summary>Parses 40 hexadecimal digits.</summary>
    public static NodeId Parse(string hex)
    {
        if (!TryParse(hex, out var id))
        {
            throw new FormatException($"'{hex}' is not a node id (40 hexadecimal digits)");
        }

        return id;
    }

    /// <summary>Parses 40 hexadecimal digits; false for anything else.</summary>
    public static bool TryParse(string? hex, out NodeId id)
    {
        id = default;
        if (hex is null || hex.Length != Digits)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        for (var i = 0; i < Size; i++)
        {
            if (!byte.TryParse(hex.AsSpan(2 * i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        id = Read(bytes);
        return true;
    }

    /// <summary>The digit at <paramref name="index"/> (0 = most significant), 0..15.</summary>
    public int Digit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Digits);
        if (index < 16)
        {
            return (int)(_high >> (60 - (4 * index))) & 0xF;
        }

        if (index < 32)
        {
            return (int)(_middle >> (60 - (4 * (index - 16)))) & 0xF;
        }

        return (int)(_low >> (28 - (4 * (index - 32)))) & 0xF;
    }

    /// <summary>
    /// How many leading hex digits this id shares with <paramref name="other"/> (0..40): the row
    /// of the routing table where <paramref name="other"/> belongs (Pastry §2.1).
    /// </summary>
    public int SharedPrefixLength(NodeId other)
    {
        var x = _high ^ other._high;
        if (x != 0)
        {
            return BitOperations.LeadingZeroCount(x) / 4;
        }

        x = _middle ^ other._middle;
        if (x != 0)
        {
            return 16 + (BitOperations.LeadingZeroCount(x) / 4);
        }

        var y = _low ^ other._low;
        return y != 0 ? 32 + (BitOperations.LeadingZeroCount(y) / 4) : Digits;
    }

    /// <summary>(this - other) mod 2^160: how far clockwise this id lies from <paramref name="other"/>.</summary>
    public NodeId Minus(NodeId other)
    {
        var low = (ulong)_low - other._low;
        var borrow = (low >> 63) & 1; // the 32-bit subtraction wrapped
        var middle = _middle - other._middle - borrow;
        var borrowMiddle = (_middle < other._middle || (_middle == other._middle && borrow == 1)) ? 1UL : 0UL;
        var high = _high - other._high - borrowMiddle;
        return new NodeId(high, middle, (uint)low);
    }

    /// <summary>(this + other) mod 2^160.</summary>
    public NodeId Plus(NodeId other)
    {
        var low = (ulong)_low + other._low;
        var carry = low >> 32;
        var middle = _middle + other._middle;
        var carryMiddle = middle < _middle ? 1UL : 0UL;
        middle += carry;
        if (middle < carry)
        {
            carryMiddle = 1;
        }

        return new NodeId(_high + other._high + carryMiddle, middle, (uint)low);
    }

    /// <summary>The id halfway along the clockwise arc from this id to <paramref name="to"/>.</summary>
    public NodeId Midpoint(NodeId to)
    {
        var d = to.Minus(this);
        var half = new NodeId(d._high >> 1, (d._middle >> 1) | (d._high << 63), (uint)((d._low >> 1) | (uint)(d._middle << 31)));
        return Plus(half);
    }

    /// <summary>
    /// The circular distance to <paramref name="other"/>: the shorter way round the ring, at most
    /// 2^159. Pastry delivers a key to the node with the smallest such distance.
    /// </summary>
    public NodeId Distance(NodeId other)
    {
        var clockwise = other.Minus(this);
        var counter = Minus(other);
        return clockwise.CompareTo(counter) <= 0 ? clockwise : counter;
    }

    /// <summary>
    /// True when <paramref name="a"/> is closer to this key than <paramref name="b"/>. Ties (a
    /// and b the same distance on opposite sides) go to the numerically smaller id, so every node
    /// agrees on one owner for every key.
    /// </summary>
    public bool IsCloser(NodeId a, NodeId b)
    {
        var c = Distance(a).CompareTo(Distance(b));
        return c != 0 ? c < 0 : a.CompareTo(b) < 0;
    }

    /// <summary>Of <paramref name="candidates"/>, the one closest to this key (see <see cref="IsCloser"/>).</summary>
    public NodeId ClosestOf(IEnumerable<NodeId> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        using var e = candidates.GetEnumerator();
        if (!e.MoveNext())
        {
            throw new ArgumentException("no candidates", nameof(candidates));
        }

        var best = e.Current;
        while (e.MoveNext())
        {
            if (IsCloser(e.Current, best))
            {
                best = e.Current;
            }
        }

        return best;
    }

    /// <summary>
    /// True when this id lies on the clockwise arc from <paramref name="from"/> (exclusive) to
    /// <paramref name="to"/> (inclusive). With from == to the arc is the whole ring but from.
    /// </summary>
    public bool IsBetweenClockwise(NodeId from, NodeId to)
    {
        if (Equals(from))
        {
            return false;
        }

        return to.Equals(from) || Minus(from).CompareTo(to.Minus(from)) <= 0;
    }

    /// <summary>The id as a fraction of the ring, for diagnostics and latency models.</summary>
    public double ToFraction() => _high / 18446744073709551616.0;

    /// <inheritdoc />
    public int CompareTo(NodeId other)
    {
        var c = _high.CompareTo(other._high);
        if (c != 0)
        {
            return c;
        }

        c = _middle.CompareTo(other._middle);
        return c != 0 ? c : _low.CompareTo(other._low);
    }

    /// <inheritdoc />
    public bool Equals(NodeId other) => _high == other._high && _middle == other._middle && _low == other._low;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    /// <inheritdoc />
    /// <remarks>
    /// Ids are uniformly random, so their top bits are a good hash. Unlike HashCode.Combine (seeded
    /// per process) this is the same in every process, so dictionary iteration orders, and with them
    /// a simulated run, replay exactly from a seed.
    /// </remarks>
    public override int GetHashCode() => (int)(_high >> 32) ^ (int)_high;

    /// <summary>40 lowercase hexadecimal digits.</summary>
    public override string ToString() => $"{_high:x16}{_middle:x16}{_low:x8}";

    /// <summary>The first <paramref name="digits"/> digits, for logs.</summary>
    public string ToShortString(int digits = 8) => ToString()[..digits];

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;

    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;

    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;
}
