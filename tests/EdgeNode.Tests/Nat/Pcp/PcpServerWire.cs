using System.Buffers.Binary;
using System.Net;

namespace EPostEdge.EdgeNode.Tests.Nat.Pcp;

/// <summary>The server's side of PCP MAP (RFC 6887 §7.1, §7.2, §11.1), written from the RFC's figures independently of the node's codec.</summary>
internal static class PcpServerWire
{
    public readonly record struct MapRequest(byte Version, byte Opcode, uint Lifetime, IPAddress Client, byte[] Nonce, byte Protocol, ushort InternalPort, ushort SuggestedPort, IPAddress SuggestedAddress);

    public static MapRequest ReadMapRequest(ReadOnlySpan<byte> d)
    {
        Assert.Equal(60, d.Length);
        Assert.Equal(0, d[2] | d[3]);                         // reserved
        Assert.True(d.Slice(24 + 13, 3).IndexOfAnyExcept((byte)0) < 0); // reserved after protocol
        return new MapRequest(
            d[0],
            d[1],
            BinaryPrimitives.ReadUInt32BigEndian(d[4..]),
            Unmap(new IPAddress(d.Slice(8, 16))),
            d.Slice(24, 12).ToArray(),
            d[36],
            BinaryPrimitives.ReadUInt16BigEndian(d[40..]),
            BinaryPrimitives.ReadUInt16BigEndian(d[42..]),
            Unmap(new IPAddress(d.Slice(44, 16))));
    }

    /// <summary>A MAP response: header (R bit, result, lifetime, epoch, 96 reserved bits), MAP data, then options.</summary>
    public static byte[] MapResponse(byte result, uint lifetime, uint epoch, ReadOnlySpan<byte> nonce, byte protocol, ushort internalPort, ushort externalPort, IPAddress externalAddress, ReadOnlySpan<byte> options = default)
    {
        var r = new byte[60 + options.Length];
        r[0] = 2;
        r[1] = 0x81;
        r[3] = result;
        BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(4), lifetime);
        BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(8), epoch);
        nonce.CopyTo(r.AsSpan(24));
        r[36] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(40), internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(42), externalPort);
        externalAddress.MapToIPv6().GetAddressBytes().CopyTo(r, 44);
        options.CopyTo(r.AsSpan(60));
        return r;
    }

    private static IPAddress Unmap(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
