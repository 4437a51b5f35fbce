using System.Net;
using CsCheck;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Nat.Pcp;

namespace EPostEdge.EdgeNode.Tests.Nat.Pcp;

/// <summary>PCP MAP's wire format (RFC 6887) both ways, against a server-side encoder written from the RFC's figures.</summary>
public sealed class PcpCodecTests
{
    private static readonly Gen<IPAddress> Ipv4 = Gen.Byte.Array[4].Select(b => new IPAddress(b));

    [Fact]
    public void Map_requests_round_trip_through_the_server_side()
    {
        Gen.Select(Gen.Select(Gen.ULong, Gen.UInt, Gen.Bool, Gen.UShort, Gen.UShort, Gen.UInt), Ipv4, Ipv4).Sample(x =>
        {
            var ((high, low, udp, internalPort, external, lifetime), client, suggested) = x;
            var nonce = new PcpNonce(high, low);
            var wire = PcpCodec.MapRequest(nonce, udp ? MappedTransport.Udp : MappedTransport.Tcp, internalPort, external, suggested, lifetime, client);
            var read = PcpServerWire.ReadMapRequest(wire);
            Assert.Equal((byte)2, read.Version);
            Assert.Equal((byte)1, read.Opcode); // R bit clear
            Assert.Equal(lifetime, read.Lifetime);
            Assert.Equal(client, read.Client);
            Assert.Equal(nonce, PcpNonce.Read(read.Nonce));
            Assert.Equal(udp ? 17 : 6, read.Protocol);
            Assert.Equal((internalPort, external), (read.InternalPort, read.SuggestedPort));
            Assert.Equal(suggested, read.SuggestedAddress);
        });
    }

    [Fact]
    public void An_ipv4_address_travels_as_ipv4_mapped_ipv6()
    {
        var wire = PcpCodec.MapRequest(default, MappedTransport.Udp, 1, 1, IPAddress.Any, 1, IPAddress.Parse("10.77.0.2"));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 77, 0, 2 }, wire.AsSpan(8, 16).ToArray());
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0 }, wire.AsSpan(44, 16).ToArray()); // §11.1: "any IPv4"
    }

    [Fact]
    public void Map_responses_round_trip_with_options_walked()
    {
        var options = Gen.Byte.Array[0, 8].Select(data =>
        {
            var padded = (data.Length + 3) & ~3;
            var option = new byte[4 + padded];
            option[0] = 0x80; // an optional option (§7.3)
            option[3] = (byte)data.Length;
            data.CopyTo(option, 4);
            return option;
        }).Array[0, 3].Select(list => list.SelectMany(o => o).ToArray());
        Gen.Select(Gen.Select(Gen.Byte[0, 13], Gen.UInt, Gen.UInt, Gen.Byte.Array[12], Gen.UShort, Gen.UShort), Ipv4, options).Sample(x =>
        {
            var ((result, lifetime, epoch, nonce, internalPort, externalPort), address, opts) = x;
            var wire = PcpServerWire.MapResponse(result, lifetime, epoch, nonce, 17, internalPort, externalPort, address, opts);
            Assert.True(PcpCodec.TryParseResponse(wire, out var parsed, out var error), error);
            Assert.Equal((byte)2, parsed.Version);
            Assert.Equal(PcpCodec.OpMap, parsed.Opcode);
            Assert.Equal((PcpResultCode)result, parsed.Result);
            Assert.Equal((lifetime, epoch), (parsed.Lifetime, parsed.Epoch));
            var map = parsed.Map!.Value;
            Assert.Equal(PcpNonce.Read(nonce), map.Nonce);
            Assert.Equal((internalPort, externalPort), (map.InternalPort, map.ExternalPort));
            Assert.Equal(address, map.ExternalAddress);
        });
    }

    [Fact]
    public void A_natpmp_gateway_answer_is_read_as_its_version_and_result()
    {
        // RFC 6887 §9: NAT-PMP's UNSUPP_VERSION (version 0, 16-bit result 1) to a PCP request.
        Assert.True(PcpCodec.TryParseResponse([0, 0x81, 0, 1, 0, 0, 0x03, 0xE8], out var parsed, out _));
        Assert.Equal(0, parsed.Version);
        Assert.Equal(PcpResultCode.UnsupportedVersion, parsed.Result);
    }

    [Fact]
    public void Malformed_responses_are_refused_with_a_reason()
    {
        var good = PcpServerWire.MapResponse(0, 600, 1, new byte[12], 17, 4031, 4031, IPAddress.Parse("192.0.1.7"));
        foreach (var length in new[] { 0, 3, 20, 25, 59 })
        {
            Assert.False(PcpCodec.TryParseResponse(good.AsSpan(0, length), out _, out var error));
            Assert.False(string.IsNullOrEmpty(error));
        }

        var request = good.ToArray();
        request[1] = 1; // R bit clear
        Assert.False(PcpCodec.TryParseResponse(request, out _, out var isRequest));
        Assert.Contains("request", isRequest, StringComparison.Ordinal);

        var overrun = PcpServerWire.MapResponse(0, 600, 1, new byte[12], 17, 4031, 4031, IPAddress.Any, [0x80, 0, 0, 12, 1, 2, 3, 4]);
        Assert.False(PcpCodec.TryParseResponse(overrun, out _, out var option));
        Assert.Contains("runs past", option, StringComparison.Ordinal);

        Assert.False(PcpCodec.TryParseResponse(new byte[1104], out _, out _)); // over 1100 bytes (and version 0 with R clear)
    }

    [Fact]
    public void Any_bytes_parse_or_are_refused_without_throwing()
    {
        Gen.Byte.Array[0, 120].Select(b =>
        {
            if (b.Length > 1)
            {
                b[0] = (byte)(b[0] % 3);
                b[1] |= 0x80; // mostly responses, so that the deeper checks run
            }

            return b;
        }).Sample(bytes =>
        {
            if (!PcpCodec.TryParseResponse(bytes, out _, out var error))
            {
                Assert.NotNull(error);
            }
        }, iter: 20_000);
    }
}
