using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace EPostEdge.Overlay.Certificates;

/// <summary>The encoding side of <see cref="WireReader"/>: big-endian integers, raw bytes, endpoints.</summary>
internal sealed class WireWriter
{
    /// <summary>Family byte of an IPv4 endpoint.</summary>
    public const byte FamilyV4 = 4;

    /// <summary>Family byte of an IPv6 endpoint.</summary>
    public const byte FamilyV6 = 6;

    private readonly ArrayBufferWriter<byte> _buffer;

    public WireWriter(int initialCapacity = 256)
    {
        _buffer = new ArrayBufferWriter<byte>(initialCapacity);
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteBytes(ReadOnlySpan<byte> value) => _buffer.Write(value);

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(sizeof(ushort)), value);
        _buffer.Advance(sizeof(ushort));
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(sizeof(uint)), value);
        _buffer.Advance(sizeof(uint));
    }

    /// <summary>Family byte (4 or 6), the address's bytes, the port as a big-endian u16.</summary>
    public void WriteEndPoint(IPEndPoint endPoint)
    {
        CheckEndPoint(endPoint);
        var family = endPoint.AddressFamily == AddressFamily.InterNetwork ? FamilyV4 : FamilyV6;
        WriteByte(family);
        var address = _buffer.GetSpan(16);
        if (!endPoint.Address.TryWriteBytes(address, out var written))
        {
            throw new ArgumentException($"cannot encode address {endPoint.Address}", nameof(endPoint));
        }

        _buffer.Advance(written);
        WriteUInt16((ushort)endPoint.Port);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Throws unless <paramref name="endPoint"/> is IPv4 or IPv6 (the only families the encoding has).</summary>
    public static void CheckEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"only IPv4 and IPv6 endpoints can be encoded, got {endPoint.AddressFamily}", nameof(endPoint));
        }
    }
}
