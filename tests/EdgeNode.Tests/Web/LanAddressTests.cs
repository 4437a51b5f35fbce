using System.Net;
using EPostEdge.EdgeNode.Web;

namespace EPostEdge.EdgeNode.Tests.Web;

public sealed class LanAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.254", true)]
    [InlineData("172.15.255.255", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.20", true)]
    [InlineData("192.169.1.20", false)]
    [InlineData("169.254.10.1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456:789a::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("::ffff:192.168.1.20", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("203.0.113.7", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("fe00::1", false)]
    public void Loopback_private_link_local_and_unique_local_are_the_LAN(string address, bool lan) =>
        Assert.Equal(lan, LanAddress.Contains(IPAddress.Parse(address)));

    [Fact]
    public void An_unknown_remote_is_not() => Assert.False(LanAddress.Contains(null));
}
