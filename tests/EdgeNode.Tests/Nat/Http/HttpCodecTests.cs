using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Nat.Http;
using EPostEdge.EdgeNode.Tests.Nat.Upnp;

namespace EPostEdge.EdgeNode.Tests.Nat.Http;

/// <summary>The HTTP/1.1 client codec: requests byte for byte; responses parsed from every prefix, every body framing, and junk.</summary>
public sealed class HttpCodecTests
{
    private const int Max = 64 * 1024;

    [Fact]
    public void A_request_has_host_length_and_connection_close()
    {
        Assert.True(HttpUrl.TryParse("http://10.77.0.1:5000/ctl/IPConn", out var url, out _));
        var request = HttpCodec.BuildRequest("POST", url, [new("SOAPAction", "\"x#y\"")], "<a/>"u8);
        Assert.Equal(
            "POST /ctl/IPConn HTTP/1.1\r\nHost: 10.77.0.1:5000\r\nSOAPAction: \"x#y\"\r\nContent-Length: 4\r\nConnection: close\r\n\r\n<a/>",
            Encoding.ASCII.GetString(request));
        Assert.Equal("GET / HTTP/1.1\r\nHost: 10.77.0.1:80\r\nConnection: close\r\n\r\n", Encoding.ASCII.GetString(HttpCodec.BuildRequest("GET", url with { Port = 80, PathAndQuery = "/" }, [], [])));
    }

    [Fact]
    public void Miniupnpds_description_response_is_incomplete_at_every_prefix_and_whole_at_the_end()
    {
        var bytes = Encoding.UTF8.GetBytes(MiniupnpdSamples.DescriptionResponse);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(HttpParseStatus.Incomplete, HttpCodec.TryParseResponse(bytes.AsSpan(0, length), false, Max, out _, out _));
        }

        Assert.Equal(HttpParseStatus.Complete, HttpCodec.TryParseResponse(bytes, false, Max, out var response, out _));
        Assert.Equal(200, response!.StatusCode);
        Assert.Equal("close", response.Head["connection"]);
        Assert.Equal(MiniupnpdSamples.Description, response.BodyText);
    }

    [Fact]
    public void Chunked_bodies_are_joined_whatever_the_chunk_sizes()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int[1, 50].Array[1, 10], Gen.Bool).Sample((body, sizes, extensions) =>
        {
            var wire = new MemoryStream();
            wire.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"u8);
            var at = 0;
            var i = 0;
            while (at < body.Length)
            {
                var n = Math.Min(sizes[i++ % sizes.Length], body.Length - at);
                wire.Write(Encoding.ASCII.GetBytes($"{n:x}{(extensions ? ";ext=1" : string.Empty)}\r\n"));
                wire.Write(body, at, n);
                wire.Write("\r\n"u8);
                at += n;
            }

            wire.Write("0\r\nTrailer: x\r\n\r\n"u8);
            var bytes = wire.ToArray();
            Assert.Equal(HttpParseStatus.Incomplete, HttpCodec.TryParseResponse(bytes.AsSpan(0, bytes.Length - 1), false, Max, out _, out _));
            Assert.Equal(HttpParseStatus.Complete, HttpCodec.TryParseResponse(bytes, false, Max, out var response, out var error));
            Assert.Equal(body, response!.Body);
        });
    }

    [Fact]
    public void A_body_without_length_ends_with_the_connection_and_interim_responses_are_skipped()
    {
        var bytes = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\nServer: old\n\n<root/>"u8.ToArray();
        Assert.Equal(HttpParseStatus.Incomplete, HttpCodec.TryParseResponse(bytes, false, Max, out _, out _));
        Assert.Equal(HttpParseStatus.Complete, HttpCodec.TryParseResponse(bytes, true, Max, out var response, out _));
        Assert.Equal(200, response!.StatusCode);
        Assert.Equal("old", response.Head["SERVER"]);
        Assert.Equal("<root/>", response.BodyText);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", "more than")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "Transfer-Encoding")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", "CRLF")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n", "status line")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", "status code")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "header field")]
    [InlineData("HTTP/1.1 200 OK\r\n bad fold\r\n\r\n", "folded")]
    public void Broken_responses_are_invalid_with_the_reason(string text, string reason)
    {
        Assert.Equal(HttpParseStatus.Invalid, HttpCodec.TryParseResponse(Encoding.Latin1.GetBytes(text), false, Max, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endless_head_is_refused_at_its_limit()
    {
        var bytes = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nX: " + new string('a', HttpCodec.MaxHeadBytes));
        Assert.Equal(HttpParseStatus.Invalid, HttpCodec.TryParseResponse(bytes, false, Max, out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_cut_by_the_peer_closing_is_invalid()
    {
        var bytes = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        Assert.Equal(HttpParseStatus.Invalid, HttpCodec.TryParseResponse(bytes, true, Max, out _, out var error));
        Assert.Contains("3 of 10", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_bytes_parse_or_are_refused_without_throwing()
    {
        var prefix = "HTTP/1.1 200 OK\r\n"u8.ToArray();
        Gen.Select(Gen.Bool, Gen.Byte.Array[0, 200], Gen.Bool).Sample((withPrefix, junk, end) =>
        {
            var bytes = withPrefix ? [.. prefix, .. junk] : junk;
            var status = HttpCodec.TryParseResponse(bytes, end, 100, out var response, out var error);
            Assert.True(status != HttpParseStatus.Invalid || error is not null);
            Assert.True(status != HttpParseStatus.Complete || response is not null);
        }, iter: 20_000);
    }
}
