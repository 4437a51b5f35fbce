using System.Buffers.Binary;
using System.Net;
using EPostEdge.EdgeNode.Nat.Mapping;

namespace EPostEdge.EdgeNode.Nat.NatPmp;

/// <summary>
/// NAT-PMP messages (RFC 6886): the two requests a client sends and the parse of the gateway's
/// responses. Big-endian fields. Pure functions; the parser never throws on its input.
/// </summary>
internal static class NatPmpCodec
{
    /// <summary>RFC 6886 §3: the gateway listens on UDP 5351.</summary>
    public const int ServerPort = 5351;

    /// <summary>RFC 6886 §3: version 0.</summary>
    public const byte Version = 0;

    public const byte OpExternalAddress = 0;
    public const byte OpMapUdp = 1;
    public const byte OpMapTcp = 2;

    /// <summary>RFC 6886 §3.2: a response's opcode is the request's plus 128.</summary>
    public const byte ResponseBit = 128;

    /// <summary>§3.2: the external address request is version and opcode only.</summary>
    public static byte[] ExternalAddressRequest() => [Version, OpExternalAddress];

    /// <summary>The opcode that maps <paramref name="transport"/>.</summary>
    public static byte MapOpcode(MappedTransport transport) => transport == MappedTransport.Udp ? OpMapUdp : OpMapTcp;

    /// <summary>
    /// §3.3: version, opcode 1 (UDP) or 2 (TCP), 16 reserved bits, internal port, suggested
    /// external port, requested lifetime in seconds. Lifetime 0 with external port 0 deletes (§3.4).
    /// </summary>
    public static byte[] MapRequest(MappedTransport transport, ushort internalPort, ushort suggestedExternalPort, uint lifetimeSeconds)
    {
        var request = new byte[12];
        request[0] = Version;
        request[1] = MapOpcode(transport);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), suggestedExternalPort);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(8), lifetimeSeconds);
        return request;
    }

    /// <summary>
    /// Parses a response: version 0, opcode ≥ 128, 16-bit result code, epoch; on success 4 bytes
    /// of external address (opcode 128) or internal port, external port, lifetime (129, 130). An
    /// error response needs only the first 8 bytes (§3.5: the other fields mean nothing then).
    /// </summary>
    public static bool TryParseResponse(ReadOnlySpan<byte> datagram, out NatPmpResponse response, out string? error)
    {
        response = default;
        if (datagram.Length < 8)
        {
            error = $"a {datagram.Length}-byte NAT-PMP response (at least 8 expected)";
            return false;
        }

        if (datagram[0] != Version)
        {
            error = $"NAT-PMP response with version {datagram[0]}";
            return false;
        }

        var opcode = datagram[1];
        if (opcode < ResponseBit)
        {
            error = $"a NAT-PMP request (opcode {opcode}), not a response";
            return false;
        }

        var result = (NatPmpResultCode)BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        var epoch = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
        if (result != NatPmpResultCode.Success)
        {
            response = new NatPmpResponse(opcode, result, epoch, null, 0, 0, 0);
            error = null;
            return true;
        }

        switch (opcode - ResponseBit)
        {
            case OpExternalAddress:
                if (datagram.Length < 12)
                {
                    error = $"a {datagram.Length}-byte external address response (12 expected)";
                    return false;
                }

                response = new NatPmpResponse(opcode, result, epoch, new IPAddress(datagram.Slice(8, 4)), 0, 0, 0);
                break;
            case OpMapUdp or OpMapTcp:
                if (datagram.Length < 16)
                {
                    error = $"a {datagram.Length}-byte mapping response (16 expected)";
                    return false;
                }

                response = new NatPmpResponse(
                    opcode,
                    result,
                    epoch,
                    null,
                    BinaryPrimitives.ReadUInt16BigEndian(datagram[8..]),
                    BinaryPrimitives.ReadUInt16BigEndian(datagram[10..]),
                    BinaryPrimitives.ReadUInt32BigEndian(datagram[12..]));
                break;
            default:
                error = $"NAT-PMP response to unknown opcode {opcode - ResponseBit}";
                return false;
        }

        error = null;
        return true;
    }

    /// <summary>The RFC's name for a result code, for messages.</summary>
    public static string Describe(NatPmpResultCode code) => code switch
    {
        NatPmpResultCode.Success => "success",
        NatPmpResultCode.UnsupportedVersion => "unsupported version",
        NatPmpResultCode.NotAuthorized => "not authorized/refused (NAT-PMP turned off on the gateway?)",
        NatPmpResultCode.NetworkFailure => "network failure (the gateway has no external address yet)",
        NatPmpResultCode.OutOfResources => "out of resources",
        NatPmpResultCode.UnsupportedOpcode => "unsupported opcode",
        _ => $"result code {(ushort)code}",
    };
}
