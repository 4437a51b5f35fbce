using System.Buffers.Binary;
using System.Net;

namespace EPostEdge.EdgeNode.Tests.Nat.NatPmp;

/// <summary>The gateway's side of NAT-PMP (RFC 6886 §3.2–§3.5), written from the RFC's figures independently of the node's codec.</summary>
internal static class NatPmpServerWire
{
    /// <summary>§3.3 figure: vers, op, reserved, internal port, suggested external port, lifetime.</summary>
    public static bool TryReadMapRequest(ReadOnlySpan<byte> d, out byte opcode, out ushort internalPort, out ushort suggestedExternalPort, out uint lifetime)
    {
        opcode = 0;
        internalPort = suggestedExternalPort = 0;
        lifetime = 0;
        if (d.Length != 12 || d[0] != 0 || d[1] is not (1 or 2))
        {
            return false;
        }

        opcode = d[1];
        internalPort = (ushort)((d[4] << 8) | d[5]);
        suggestedExternalPort = (ushort)((d[6] << 8) | d[7]);
        lifetime = (uint)((d[8] << 24) | (d[9] << 16) | (d[10] << 8) | d[11]);
        return true;
    }

    /// <summary>§3.2 figure: vers 0, op 128, result, epoch, external address.</summary>
    public static byte[] ExternalAddressResponse(ushort result, uint epoch, IPAddress external)
    {
        var r = Head(0, result, epoch, 12);
        external.GetAddressBytes().CopyTo(r, 8);
        return r;
    }

    /// <summary>§3.3 figure: vers 0, op 128 + op, result, epoch, internal port, mapped external port, lifetime.</summary>
    public static byte[] MapResponse(byte opcode, ushort result, uint epoch, ushort internalPort, ushort externalPort, uint lifetime)
    {
        var r = Head(opcode, result, epoch, 16);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(8), internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(10), externalPort);
        BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(12), lifetime);
        return r;
    }

    /// <summary>§3.5: an error answer may carry only the common 8 bytes (what miniupnpd and others send for UNSUPP_VERSION).</summary>
    public static byte[] ErrorResponse(byte requestOpcode, ushort result, uint epoch) => Head(requestOpcode, result, epoch, 8);

    private static byte[] Head(byte requestOpcode, ushort result, uint epoch, int length)
    {
        var r = new byte[length];
        r[1] = (byte)(128 + requestOpcode);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(2), result);
        BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(4), epoch);
        return r;
    }
}
