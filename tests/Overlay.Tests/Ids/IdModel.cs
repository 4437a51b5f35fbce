using System.Numerics;
using CsCheck;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Tests.Ids;

/// <summary>
/// The reference model for <see cref="NodeId"/>: ids as <see cref="BigInteger"/>s modulo 2^160,
/// and generators of ids, including the edge cases word-wise arithmetic gets wrong (all-zero and
/// all-one words that make borrows and carries ripple, ids that share long prefixes).
/// </summary>
internal static class IdModel
{
    public static readonly BigInteger Ring = BigInteger.One << 160;

    public static readonly BigInteger HalfRing = BigInteger.One << 159;

    /// <summary>Uniform bytes, or bytes from {00, 01, 7F, 80, FE, FF, any} so borrows and carries cross word boundaries.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (3, Gen.Byte.Array[NodeId.Size]),
        (2, Gen.OneOf(Gen.Const((byte)0), Gen.Const((byte)1), Gen.Const((byte)0x7F), Gen.Const((byte)0x80), Gen.Const((byte)0xFE), Gen.Const((byte)0xFF), Gen.Byte).Array[NodeId.Size]));

    public static readonly Gen<NodeId> GenId = Bytes.Select(b => NodeId.Read(b));

    /// <summary>Two ids; often the second shares a prefix of random length with the first, or differs by a little.</summary>
    public static readonly Gen<(NodeId A, NodeId B)> Pairs = Gen.Frequency(
        (2, Gen.Select(GenId, GenId)),
        (2, Gen.Select(Bytes, Bytes, Gen.Int[0, NodeId.Size]).Select((a, b, shared) => (NodeId.Read(a), NodeId.Read([.. a[..shared], .. b[shared..]])))),
        (1, Gen.Select(GenId, Gen.Long[-1000, 1000]).Select((a, delta) => (a, FromBig(ToBig(a) + delta)))),
        (1, GenId.Select(a => (a, a))));

    public static BigInteger ToBig(NodeId id) => new(id.ToBytes(), isUnsigned: true, isBigEndian: true);

    public static BigInteger ToBig(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    /// <summary>The id of <paramref name="value"/> mod 2^160.</summary>
    public static NodeId FromBig(BigInteger value)
    {
        value = Mod(value);
        var bytes = new byte[NodeId.Size];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(bytes, NodeId.Size - raw.Length);
        return NodeId.Read(bytes);
    }

    public static BigInteger Mod(BigInteger value)
    {
        var r = value % Ring;
        return r.Sign < 0 ? r + Ring : r;
    }

    /// <summary>The shorter way round the ring between two points.</summary>
    public static BigInteger Distance(BigInteger a, BigInteger b) => BigInteger.Min(Mod(a - b), Mod(b - a));

    /// <summary>Pastry's owner rule: smaller circular distance, ties to the numerically smaller id.</summary>
    public static bool IsCloser(BigInteger key, BigInteger a, BigInteger b)
    {
        var c = Distance(key, a).CompareTo(Distance(key, b));
        return c != 0 ? c < 0 : a < b;
    }
}
