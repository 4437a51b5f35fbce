using System.Net;
using EPostEdge.EdgeNode.Nat.Http;

namespace EPostEdge.EdgeNode.Tests.Nat.Http;

/// <summary>URLs in LOCATION, URLBase and controlURL: IP hosts only, references resolved as devices write them.</summary>
public sealed class HttpUrlTests
{
    [Theory]
    [InlineData("http://10.77.0.1:5000/rootDesc.xml", "10.77.0.1", 5000, "/rootDesc.xml")]
    [InlineData("HTTP://192.168.1.1/", "192.168.1.1", 80, "/")]
    [InlineData("http://192.168.1.1", "192.168.1.1", 80, "/")]
    [InlineData("http://192.168.1.1:49152?x=1", "192.168.1.1", 49152, "/?x=1")]
    [InlineData("http://[fe80::1]:1900/desc", "fe80::1", 1900, "/desc")]
    public void Parses(string text, string host, int port, string path)
    {
        Assert.True(HttpUrl.TryParse(text, out var url, out var error), error);
        Assert.Equal(IPAddress.Parse(host), url.Host);
        Assert.Equal(port, url.Port);
        Assert.Equal(path, url.PathAndQuery);
    }

    [Theory]
    [InlineData("https://10.0.0.1/")]
    [InlineData("http://router.local:5000/")]
    [InlineData("http://10.1/")]
    [InlineData("http://10.0.0.1:0/")]
    [InlineData("http://10.0.0.1:99999/")]
    [InlineData("http://user@10.0.0.1/")]
    [InlineData("http://10.0.0.1/a b")]
    [InlineData("http://[fe80::1/")]
    [InlineData("")]
    public void Refuses_with_a_reason(string text)
    {
        Assert.False(HttpUrl.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("/ctl/IPConn", "http://10.0.0.1:5000/ctl/IPConn")]
    [InlineData("ctl/IPConn", "http://10.0.0.1:5000/dev/ctl/IPConn")]
    [InlineData("http://10.0.0.1:6000/x", "http://10.0.0.1:6000/x")]
    public void Resolves_references_against_the_description(string reference, string expected)
    {
        Assert.True(HttpUrl.TryParse("http://10.0.0.1:5000/dev/desc.xml?v=2", out var location, out _));
        Assert.True(location.TryResolve(reference, out var resolved, out var error), error);
        Assert.Equal(expected, resolved.ToString());
        Assert.False(location.TryResolve("//10.0.0.9/x", out _, out _));
        Assert.False(location.TryResolve(" ", out _, out _));
    }
}
