using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EPostEdge.EdgeNode.Nat.Mapping;

namespace EPostEdge.EdgeNode.Nat.Pcp;

/// <summary>
/// PCP messages (RFC 6887): the MAP request (§7.1 header + §11.1 opcode data) and the parse of
/// responses (§7.2, §11.1, options §7.3 walked and bounds-checked). Addresses are 128-bit,
/// IPv4 as ::ffff:a.b.c.d (§5). Pure functions; the parser never throws on its input.
/// </summary>
internal static class PcpCodec
{
    /// <summary>RFC 6887 §19.1: the server's port (shared with NAT-PMP).</summary>
    public const int ServerPort = 5351;

    /// <summary>RFC 6887 §7: this specification's version.</summary>
    public const byte Version = 2;

    /// <summary>RFC 6887 §19.2: the MAP opcode.</summary>
    public const byte OpMap = 1;

    /// <summary>§7: the R bit, set in responses.</summary>
    public const byte ResponseBit = 0x80;

    /// <summary>§7: no PCP message is longer.</summary>
    public const int MaxMessage = 1100;

    public const int HeaderLength = 24;
    public const int MapDataLength = 36;

    /// <summary>IANA protocol number of the transport.</summary>
    public static byte ProtocolNumber(MappedTransport transport) => transport == MappedTransport.Udp ? (byte)17 : (byte)6;

    /// <summary>
    /// A MAP request: header (version 2, opcode 1, requested lifetime, the client's own address)
    /// and MAP data (nonce, protocol, internal port, suggested external port and address). Lifetime
    /// 0 deletes (§15). <paramref name="suggestedExternalAddress"/>: 0.0.0.0 for "any IPv4" (§11.1).
    /// </summary>
    public static byte[] MapRequest(PcpNonce nonce, MappedTransport transport, ushort internalPort, ushort suggestedExternalPort, IPAddress suggestedExternalAddress, uint lifetimeSeconds, IPAddress clientAddress)
    {
        var request = new byte[HeaderLength + MapDataLength];
        var span = request.AsSpan();
        span[0] = Version;
        span[1] = OpMap;
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], lifetimeSeconds);
        WriteAddress(span.Slice(8, 16), clientAddress);
        var data = span[HeaderLength..];
        nonce.Write(data);
        data[12] = ProtocolNumber(transport);
        BinaryPrimitives.WriteUInt16BigEndian(data[16..], internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(data[18..], suggestedExternalPort);
        WriteAddress(data.Slice(20, 16), suggestedExternalAddress);
        return request;
    }

    /// <summary>
    /// Parses a response. A version other than 2 is returned with only the result code (byte 3:
    /// where NAT-PMP's 16-bit result code ends, RFC 6887 §9), so that the caller can fall back.
    /// </summary>
    public static bool TryParseResponse(ReadOnlySpan<byte> datagram, out PcpResponse response, out string? error)
    {
        response = default;
        if (datagram.Length < 4)
        {
            error = $"a {datagram.Length}-byte PCP response";
            return false;
        }

        if ((datagram[1] & ResponseBit) == 0)
        {
            error = "a PCP request (R bit clear), not a response";
            return false;
        }

        var opcode = (byte)(datagram[1] & ~ResponseBit);
        if (datagram[0] != Version)
        {
            response = new PcpResponse(datagram[0], opcode, (PcpResultCode)datagram[3], 0, 0, null);
            error = null;
            return true;
        }

        // §8.3: a response shorter than 24 bytes, longer than 1100, or not a multiple of 4 is dropped.
        if (datagram.Length < HeaderLength || datagram.Length > MaxMessage || datagram.Length % 4 != 0)
        {
            error = $"a {datagram.Length}-byte PCP response (24..1100, a multiple of 4)";
            return false;
        }

        var result = (PcpResultCode)datagram[3];
        var lifetime = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
        var epoch = BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
        var optionsStart = HeaderLength;
        PcpMapData? map = null;
        if (opcode == OpMap && datagram.Length >= HeaderLength + MapDataLength)
        {
            var data = datagram[HeaderLength..];
            map = new PcpMapData(
                PcpNonce.Read(data),
                data[12],
                BinaryPrimitives.ReadUInt16BigEndian(data[16..]),
                BinaryPrimitives.ReadUInt16BigEndian(data[18..]),
                ReadAddress(data.Slice(20, 16)));
            optionsStart += MapDataLength;
        }
        else if (opcode == OpMap && result == PcpResultCode.Success)
        {
            error = $"a {datagram.Length}-byte successful MAP response ({HeaderLength + MapDataLength} at least)";
            return false;
        }

        // §7.3: options follow: code, reserved, 16-bit length, data padded to 4 bytes.
        var position = optionsStart;
        while (map is not null && position < datagram.Length)
        {
            if (datagram.Length - position < 4)
            {
                error = "a truncated PCP option header";
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[(position + 2)..]);
            var padded = (length + 3) & ~3;
            if (datagram.Length - position - 4 < padded)
            {
                error = $"PCP option {datagram[position]} of {length} bytes runs past the message";
                return false;
            }

            position += 4 + padded;
        }

        response = new PcpResponse(Version, opcode, result, lifetime, epoch, map);
        error = null;
        return true;
    }

    /// <summary>The RFC's name for a result code, for messages.</summary>
    public static string Describe(PcpResultCode code) => code switch
    {
        PcpResultCode.Success => "SUCCESS",
        PcpResultCode.UnsupportedVersion => "UNSUPP_VERSION",
        PcpResultCode.NotAuthorized => "NOT_AUTHORIZED (PCP turned off, or mapping refused by the gateway's policy)",
        PcpResultCode.MalformedRequest => "MALFORMED_REQUEST",
        PcpResultCode.UnsupportedOpcode => "UNSUPP_OPCODE",
        PcpResultCode.UnsupportedOption => "UNSUPP_OPTION",
        PcpResultCode.MalformedOption => "MALFORMED_OPTION",
        PcpResultCode.NetworkFailure => "NETWORK_FAILURE",
        PcpResultCode.NoResources => "NO_RESOURCES",
        PcpResultCode.UnsupportedProtocol => "UNSUPP_PROTOCOL",
        PcpResultCode.UserExceededQuota => "USER_EX_QUOTA",
        PcpResultCode.CannotProvideExternal => "CANNOT_PROVIDE_EXTERNAL",
        PcpResultCode.AddressMismatch => "ADDRESS_MISMATCH (a NAT between this node and the gateway?)",
        PcpResultCode.ExcessiveRemotePeers => "EXCESSIVE_REMOTE_PEERS",
        _ => $"result code {(byte)code}",
    };

    /// <summary>§5: a 128-bit address field; IPv4 as an IPv4-mapped IPv6 address.</summary>
    public static void WriteAddress(Span<byte> destination, IPAddress address)
    {
        var v6 = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        v6.TryWriteBytes(destination, out _);
    }

    /// <summary>§5: reads a 128-bit address field; an IPv4-mapped one becomes IPv4.</summary>
    public static IPAddress ReadAddress(ReadOnlySpan<byte> source)
    {
        var address = new IPAddress(source[..16]);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
