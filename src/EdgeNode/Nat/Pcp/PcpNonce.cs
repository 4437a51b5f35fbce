using System.Buffers.Binary;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Nat.Pcp;

/// <summary>A MAP request's 96-bit mapping nonce (RFC 6887 §11.1): random, kept for renewals and the delete.</summary>
/// <param name="High">The first 64 bits.</param>
/// <param name="Low">The last 32 bits.</param>
internal readonly record struct PcpNonce(ulong High, uint Low)
{
    public const int Length = 12;

    public static PcpNonce Random(IRandomSource random)
    {
        Span<byte> bytes = stackalloc byte[Length];
        random.NextBytes(bytes);
        return Read(bytes);
    }

    public static PcpNonce Read(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Low);
    }
}
