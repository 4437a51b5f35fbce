using System.Net;
using System.Text.Json;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Nat;
using EPostEdge.EdgeNode.Nat.Mapping;
using Microsoft.Extensions.Logging.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Nat;

/// <summary>The "nat" object of status.json and its line in <c>epost-edge status</c>.</summary>
public sealed class NatStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_state_reads_back_as_written()
    {
        var gateway = IPAddress.Parse("192.168.1.1");
        NatStatus[] all =
        [
            new(NatState.Mapped, NatProtocol.Upnp, gateway, IPAddress.Parse("203.0.113.9"), 4031, 4032, Now.AddHours(1), "TCP: x", Now),
            new(NatState.Mapped, NatProtocol.NatPmp, gateway, IPAddress.Parse("203.0.113.9"), 4031, null, null, null, null),
            new(NatState.Discovering, null, gateway, null, null, null, null, null, null),
            new(NatState.Failed, null, null, null, null, null, null, "no IPv4 default route", Now),
            new(NatState.Removed, NatProtocol.Pcp, gateway, IPAddress.Parse("203.0.113.9"), 4031, 4031, null, null, null),
        ];
        foreach (var status in all)
        {
            var json = NodeStatusJson.Render(new NodeStatus { Running = true, DataDirectory = "/d", Nat = status });
            Assert.Equal(status, NodeStatusJson.Read(json).Nat);
        }

        using var document = JsonDocument.Parse(NodeStatusJson.Render(new NodeStatus { Running = true, DataDirectory = "/d", Nat = all[0] }));
        var nat = document.RootElement.GetProperty("nat");
        Assert.Equal("mapped", nat.GetProperty("state").GetString());
        Assert.Equal("UPnP-IGD", nat.GetProperty("protocol").GetString());
        Assert.Equal("203.0.113.9:4031", nat.GetProperty("externalEndPoint").GetString());
        Assert.Equal(4032, nat.GetProperty("tcpPort").GetInt32());

        using var off = JsonDocument.Parse(NodeStatusJson.Render(new NodeStatus { Running = true, DataDirectory = "/d" }));
        Assert.Equal(JsonValueKind.Null, off.RootElement.GetProperty("nat").ValueKind);
    }

    [Fact]
    public void The_status_line_says_where_peers_reach_the_node()
    {
        var gateway = IPAddress.Parse("192.168.1.1");
        var external = IPAddress.Parse("203.0.113.9");
        Assert.Equal("203.0.113.9:4031 by NAT-PMP via 192.168.1.1, UDP+TCP, lease until 2026-03-01 13:00:00Z",
            new NatStatus(NatState.Mapped, NatProtocol.NatPmp, gateway, external, 4031, 4031, Now.AddHours(1), null, null).Describe());
        Assert.Equal("203.0.113.9:4031 by UPnP-IGD via 192.168.1.1, UDP only, permanent (last error: TCP: refused)",
            new NatStatus(NatState.Mapped, NatProtocol.Upnp, gateway, external, 4031, null, null, "TCP: refused", Now).Describe());
        Assert.Equal("not mapped (last error: no IPv4 default route (set Nat:Gateway to the router's address))",
            new NatStatus(NatState.Failed, null, null, null, null, null, null, "no IPv4 default route (set Nat:Gateway to the router's address)", Now).Describe());
    }

    [Fact]
    public async Task Unusable_settings_stop_the_mapper_at_once_with_the_reason()
    {
        var options = new NatOptions { Protocols = "carrier-pigeon" };
        var mapper = new PortMapper(options, 4031, new EdgeNode.Nat.Network.SocketNatNetwork(), TimeProvider.System, new EPostEdge.Overlay.Seams.SeededRandomSource(1), NullLogger.Instance);
        await mapper.RunAsync(CancellationToken.None);
        Assert.Equal(NatState.Failed, mapper.Status.State);
        Assert.Contains("carrier-pigeon", mapper.Status.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.178.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("169.254.1.1", true)]
    [InlineData("192.0.1.7", false)]
    [InlineData("203.0.113.9", false)]
    public void A_private_external_address_is_told_apart(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, PortMapper.IsPrivate(IPAddress.Parse(address)));
}
