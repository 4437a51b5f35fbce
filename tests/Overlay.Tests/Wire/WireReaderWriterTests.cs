using System.Net;
using CsCheck;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Tests.Ids;
using static EPostEdge.Overlay.Tests.Wire.WireSamples;
using WireReader = EPostEdge.Overlay.Wire.WireReader;
using WireWriter = EPostEdge.Overlay.Wire.WireWriter;

namespace EPostEdge.Overlay.Tests.Wire;

/// <summary>The field codec under every message: endpoints, handles, integers and blobs.</summary>
public sealed class WireReaderWriterTests
{
    [Fact]
    public void An_IPv4_endpoint_is_family_4_address_and_port_in_7_bytes()
    {
        var writer = new WireWriter();
        writer.WriteEndPoint(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 0x1F90));
        Assert.Equal([4, 192, 0, 2, 7, 0x1F, 0x90], writer.ToArray());
    }

    [Fact]
    public void An_IPv6_endpoint_is_family_6_address_and_port_in_19_bytes()
    {
        var writer = new WireWriter();
        writer.WriteEndPoint(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 65535));
        Assert.Equal([6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF], writer.ToArray());
    }

    [Fact]
    public void An_IPv4_mapped_IPv6_endpoint_is_written_as_IPv4()
    {
        // A dual-mode socket reports IPv4 peers as ::ffff:a.b.c.d; on the wire they are IPv4.
        var writer = new WireWriter();
        writer.WriteEndPoint(new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 4000));
        var reader = new WireReader(writer.WrittenSpan);
        Assert.True(reader.TryReadEndPoint(out var endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 4000), endPoint);
        Assert.Equal(7, writer.Length);
    }

    [Fact]
    public void Endpoints_and_handles_round_trip() =>
        Gen.Select(EndPoints, Handles, HandleLists).Sample((endPoint, handle, handles) =>
        {
            var writer = new WireWriter(1);
            writer.WriteEndPoint(endPoint);
            writer.WriteHandle(handle);
            writer.WriteHandles(handles);
            var reader = new WireReader(writer.WrittenSpan);
            Assert.True(reader.TryReadEndPoint(out var e));
            Assert.True(reader.TryReadHandle(out var h));
            Assert.True(reader.TryReadHandles(out var hs));
            Assert.Equal(0, reader.Remaining);
            Assert.Equal(endPoint, e);
            Assert.Equal(handle, h);
            Assert.Equal(handles, hs);
            Assert.Equal(EndPointSize(endPoint) + HandleSize(handle) + 1 + handles.Sum(HandleSize), writer.Length);
        }, iter: 1000);

    [Fact]
    public void Truncated_endpoints_and_handles_are_refused() =>
        Gen.Select(Handles, HandleLists.Where(h => h.Length > 0)).Sample((handle, handles) =>
        {
            var writer = new WireWriter();
            writer.WriteHandle(handle);
            var one = writer.ToArray();
            writer.Clear();
            writer.WriteHandles(handles);
            var many = writer.ToArray();
            for (var length = 0; length < one.Length; length++)
            {
                var reader = new WireReader(one.AsSpan(0, length));
                Assert.False(reader.TryReadHandle(out var h));
                Assert.Null(h);
            }

            for (var length = 0; length < many.Length; length++)
            {
                var reader = new WireReader(many.AsSpan(0, length));
                Assert.False(reader.TryReadHandles(out var hs));
                Assert.Null(hs);
            }
        }, iter: 200);

    [Fact]
    public void Unknown_address_families_are_refused() =>
        Gen.Byte.Where(f => f is not (4 or 6)).Sample(family =>
        {
            byte[] bytes = [family, .. new byte[18]];
            var reader = new WireReader(bytes);
            Assert.False(reader.TryReadEndPoint(out var endPoint));
            Assert.Null(endPoint);
        });

    [Fact]
    public void Integers_are_big_endian_and_round_trip() =>
        Gen.Select(Gen.Byte, Gen.UShort, Gen.UInt, Gen.ULong, Gen.Bool).Sample((b, s, i, l, f) =>
        {
            var writer = new WireWriter();
            writer.WriteByte(b);
            writer.WriteUInt16(s);
            writer.WriteUInt32(i);
            writer.WriteUInt64(l);
            writer.WriteBool(f);
            var bytes = writer.ToArray();
            Assert.Equal(16, bytes.Length);
            Assert.Equal((byte)(s >> 8), bytes[1]);
            Assert.Equal((byte)(i >> 24), bytes[3]);
            Assert.Equal((byte)(l >> 56), bytes[7]);
            var reader = new WireReader(bytes);
            Assert.True(reader.TryReadByte(out var b2) && b2 == b);
            Assert.True(reader.TryReadUInt16(out var s2) && s2 == s);
            Assert.True(reader.TryReadUInt32(out var i2) && i2 == i);
            Assert.True(reader.TryReadUInt64(out var l2) && l2 == l);
            Assert.True(reader.TryReadBool(out var f2) && f2 == f);
            Assert.False(reader.TryReadByte(out _));
            Assert.False(reader.TryReadUInt16(out _));
            Assert.False(reader.TryReadUInt32(out _));
            Assert.False(reader.TryReadUInt64(out _));
            Assert.False(reader.TryReadBool(out _));
        });

    [Fact]
    public void Blobs_round_trip_and_refuse_lengths_past_the_end() =>
        Gen.Select(Gen.Byte.Array[0, 3000], Gen.Byte.Array[0, 300]).Sample((blob, shortBlob) =>
        {
            var writer = new WireWriter(8);
            writer.WriteBlob(blob);
            writer.WriteShortBlob(shortBlob);
            var bytes = writer.ToArray();
            var reader = new WireReader(bytes);
            Assert.True(reader.TryReadBlob(out var b));
            Assert.Equal(blob, b.ToArray());
            Assert.True(reader.TryReadShortBlob(out var s));
            Assert.Equal(shortBlob, s.ToArray());
            Assert.Equal(0, reader.Remaining);

            var truncated = new WireReader(bytes.AsSpan(0, 4 + blob.Length - 1));
            Assert.False(truncated.TryReadBlob(out _));
        }, iter: 300);

    [Fact]
    public void Huge_or_negative_lengths_are_refused_without_throwing()
    {
        byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3];
        var reader = new WireReader(huge);
        Assert.False(reader.TryReadBlob(out _));
        byte[] big = [0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3];
        reader = new WireReader(big);
        Assert.False(reader.TryReadBlob(out _));
        reader = new WireReader([1, 2, 3]);
        Assert.False(reader.TryReadBytes(-1, out _));
        Assert.False(reader.TryReadBytes(4, out _));
        Assert.True(reader.TryReadBytes(3, out var all));
        Assert.Equal([1, 2, 3], all.ToArray());
    }

    [Fact]
    public void Booleans_are_0_or_1() =>
        Gen.Byte.Sample(b =>
        {
            var reader = new WireReader([b]);
            Assert.Equal(b <= 1, reader.TryReadBool(out var value));
            Assert.Equal(b == 1, value);
        });

    [Fact]
    public void Writer_limits_are_enforced()
    {
        var writer = new WireWriter();
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteShortBlob(new byte[ushort.MaxValue + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHandles(Handles.Array[256].Single()));
        Assert.Throws<ArgumentNullException>(() => writer.WriteHandle(null!));
        Assert.Throws<ArgumentNullException>(() => writer.WriteEndPoint(null!));
    }

    [Fact]
    public void Writer_grows_and_clears() =>
        Gen.Byte.Array[0, 100].Array[0, 50].Sample(chunks =>
        {
            var writer = new WireWriter(1);
            foreach (var chunk in chunks)
            {
                writer.WriteBytes(chunk);
            }

            Assert.Equal(chunks.SelectMany(c => c).ToArray(), writer.ToArray());
            writer.Clear();
            Assert.Equal(0, writer.Length);
            writer.WriteId(IdModel.FromBig(1));
            Assert.Equal(NodeId.Size, writer.Length);
        });

    private static int EndPointSize(IPEndPoint endPoint) =>
        endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 7 : 19;

    private static int HandleSize(NodeHandle handle) => NodeId.Size + EndPointSize(handle.EndPoint);
}
