using System.Net;
using CsCheck;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Nat.NatPmp;

namespace EPostEdge.EdgeNode.Tests.Nat.NatPmp;

/// <summary>NAT-PMP's wire format (RFC 6886 §3) both ways, against a gateway-side encoder written from the RFC's figures.</summary>
public sealed class NatPmpCodecTests
{
    [Fact]
    public void Requests_are_the_rfc_figures_byte_for_byte()
    {
        Assert.Equal([0, 0], NatPmpCodec.ExternalAddressRequest());
        Assert.Equal([0, 1, 0, 0, 0x0F, 0xBF, 0x0F, 0xBF, 0, 0, 0x0E, 0x10], NatPmpCodec.MapRequest(MappedTransport.Udp, 4031, 4031, 3600));
        Assert.Equal([0, 2, 0, 0, 0x0F, 0xBF, 0, 0, 0, 0, 0, 0], NatPmpCodec.MapRequest(MappedTransport.Tcp, 4031, 0, 0)); // §3.4 delete
    }

    [Fact]
    public void Map_requests_round_trip_through_the_gateway_side()
    {
        Gen.Select(Gen.Bool, Gen.UShort, Gen.UShort, Gen.UInt).Sample((udp, internalPort, external, lifetime) =>
        {
            var transport = udp ? MappedTransport.Udp : MappedTransport.Tcp;
            Assert.True(NatPmpServerWire.TryReadMapRequest(NatPmpCodec.MapRequest(transport, internalPort, external, lifetime), out var opcode, out var i, out var e, out var l));
            Assert.Equal(udp ? 1 : 2, opcode);
            Assert.Equal((internalPort, external, lifetime), (i, e, l));
        });
    }

    [Fact]
    public void Responses_round_trip()
    {
        Gen.Select(Gen.Int[1, 2], Gen.UShort, Gen.UInt, Gen.UShort, Gen.UShort, Gen.UInt).Sample((op, result, epoch, internalPort, external, lifetime) =>
        {
            var wire = NatPmpServerWire.MapResponse((byte)op, result, epoch, internalPort, external, lifetime);
            Assert.True(NatPmpCodec.TryParseResponse(wire, out var parsed, out var error), error);
            Assert.Equal(128 + op, parsed.Opcode);
            Assert.Equal((NatPmpResultCode)result, parsed.Result);
            Assert.Equal(epoch, parsed.Epoch);
            if (result == 0)
            {
                Assert.Equal((internalPort, external, lifetime), (parsed.InternalPort, parsed.ExternalPort, parsed.Lifetime));
            }
        });
        Gen.Select(Gen.UInt, Gen.Byte.Array[4]).Sample((epoch, address) =>
        {
            Assert.True(NatPmpCodec.TryParseResponse(NatPmpServerWire.ExternalAddressResponse(0, epoch, new IPAddress(address)), out var parsed, out _));
            Assert.Equal(new IPAddress(address), parsed.ExternalAddress);
            Assert.Equal(epoch, parsed.Epoch);
        });
    }

    [Fact]
    public void An_error_answer_needs_only_eight_bytes()
    {
        Assert.True(NatPmpCodec.TryParseResponse(NatPmpServerWire.ErrorResponse(1, 2, 77), out var parsed, out _));
        Assert.Equal(NatPmpResultCode.NotAuthorized, parsed.Result);
        Assert.Equal(77u, parsed.Epoch);
    }

    [Fact]
    public void Short_foreign_and_request_shaped_datagrams_are_refused_with_a_reason()
    {
        var whole = NatPmpServerWire.MapResponse(1, 0, 5, 4031, 4031, 3600);
        for (var length = 0; length < whole.Length; length++)
        {
            Assert.False(NatPmpCodec.TryParseResponse(whole.AsSpan(0, length), out _, out var error));
            Assert.False(string.IsNullOrEmpty(error));
        }

        Assert.False(NatPmpCodec.TryParseResponse(NatPmpCodec.MapRequest(MappedTransport.Udp, 1, 1, 1), out _, out var request));
        Assert.Contains("request", request, StringComparison.Ordinal);
        whole[0] = 2;
        Assert.False(NatPmpCodec.TryParseResponse(whole, out _, out var version));
        Assert.Contains("version 2", version, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_bytes_parse_or_are_refused_without_throwing()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            if (!NatPmpCodec.TryParseResponse(bytes, out _, out var error))
            {
                Assert.NotNull(error);
            }
        }, iter: 20_000);
    }
}
