using System.Net;
using EPostEdge.EdgeNode.Nat.Network;

namespace EPostEdge.EdgeNode.Tests.Nat.Network;

/// <summary>The default gateway from /proc/net/route text.</summary>
public sealed class RouteTableTests
{
    private const string Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n";

    [Fact]
    public void The_up_default_route_with_the_lowest_metric_wins()
    {
        var table = Header
            + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"       // 192.0.2.0/24 on link
            + "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"    // default via 192.168.1.1, metric 600
            + "eth0\t00000000\t01004D0A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"     // default via 10.77.0.1, metric 100
            + "eth1\t00000000\t0100000A\t0002\t0\t0\t0\t00000000\t0\t0\t0\n";      // not up
        Assert.Equal((IPAddress.Parse("10.77.0.1"), "eth0"), RouteTable.DefaultRoute(table));
    }

    [Theory]
    [InlineData(Header)]
    [InlineData(Header + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n")]
    [InlineData("garbage\n\n\t\t\nxx yy zz 11 22 33 44 55\n")]
    [InlineData("")]
    [InlineData(null)]
    public void No_default_route_is_null(string? table) => Assert.Null(RouteTable.DefaultGateway(table));

    [Fact]
    public void This_machines_table_gives_the_gateway_ip_route_shows()
    {
        // An independent reader of the same kernel table: iproute2's `ip -4 route show default`.
        var start = new System.Diagnostics.ProcessStartInfo("ip", "-4 route show default") { RedirectStandardOutput = true };
        using var ip = System.Diagnostics.Process.Start(start)!;
        var shown = ip.StandardOutput.ReadToEnd();
        ip.WaitForExit();
        var words = shown.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var via = Array.IndexOf(words, "via");
        var expected = via >= 0 ? IPAddress.Parse(words[via + 1]) : null;
        Assert.Equal(expected, RouteTable.DefaultGateway(new SocketNatNetwork().ReadRouteTable()));
    }
}
