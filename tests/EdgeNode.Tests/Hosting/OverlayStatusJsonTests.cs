using System.Net;
using System.Text;
using System.Text.Json;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Tests.Hosting;

/// <summary>The "overlay" object of status.json: written by the running node, read back by <c>status</c> and <c>overlay status</c>.</summary>
public sealed class OverlayStatusJsonTests
{
    [Fact]
    public void A_live_overlay_reads_back_as_written()
    {
        var random = new SeededRandomSource(9);
        NodeHandle Handle(int port) => new(NodeId.Random(random), new IPEndPoint(IPAddress.Loopback, port));
        var relay = Handle(4003);
        var live = new OverlayStatus(
            Handle(4000),
            Joined: true,
            ClockwiseLeaves: [new NeighborStatus(Handle(4001), TimeSpan.FromMilliseconds(0.25), null, 0, false)],
            CounterClockwiseLeaves: [new NeighborStatus(Handle(4002), null, relay, 2, true)],
            RoutingTable: [new NeighborStatus(Handle(4004), TimeSpan.FromMilliseconds(12.5), null, 1, false)],
            TableFillByRow: [1, 0, 3],
            RecentlyDead: 4,
            Counters: new OverlayCounters { FramesSent = 10, BytesSent = 1000, FramesReceived = 9, BytesReceived = 900, MaintenanceBytesSent = 800, MaintenanceBytesReceived = 700, Malformed = 1, BadMac = 2, CertificatesRefused = 3, UnknownSenders = 4, DeclaredDead = 5, Delivered = 6, Forwarded = 7, HopRetries = 8, RouteFailures = 9, RootAckTimeouts = 10, Relayed = 11 },
            Uptime: TimeSpan.FromSeconds(42.5));
        var status = new OverlayNodeStatus(live.Node.Id, NodeId.Random(random), live.Node.EndPoint, Founder: true, MayInvite: true, live);

        var read = RoundTrip(status);

        Assert.Equal(status.Node, read.Node);
        Assert.Equal(status.Overlay, read.Overlay);
        Assert.Equal(status.EndPoint, read.EndPoint);
        Assert.True(read.Founder);
        var back = read.Live!;
        Assert.True(back.Joined);
        Assert.Equal(live.ClockwiseLeaves, back.ClockwiseLeaves);
        Assert.Equal(live.CounterClockwiseLeaves, back.CounterClockwiseLeaves);
        Assert.Equal(live.RoutingTable, back.RoutingTable);
        Assert.Equal(live.TableFillByRow, back.TableFillByRow);
        Assert.Equal(4, back.RecentlyDead);
        Assert.Equal(live.Counters, back.Counters);
        Assert.Equal(42.5, back.Uptime.TotalSeconds);
    }

    [Fact]
    public void Not_running_has_no_live_part_and_not_configured_is_null_in_status_json()
    {
        var random = new SeededRandomSource(10);
        var offline = new OverlayNodeStatus(NodeId.Random(random), NodeId.Random(random), IPEndPoint.Parse("[fd00::1]:4031"), Founder: false, MayInvite: false, Live: null);
        var read = RoundTrip(offline);
        Assert.Null(read.Live);
        Assert.Equal(offline, read);

        var none = new NodeStatus { Running = false, DataDirectory = "/data" };
        using var document = JsonDocument.Parse(NodeStatusJson.Render(none));
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("overlay").ValueKind);
        Assert.Null(NodeStatusJson.Read(NodeStatusJson.Render(none)).Overlay);
    }

    private static OverlayNodeStatus RoundTrip(OverlayNodeStatus status)
    {
        var node = new NodeStatus { Running = true, DataDirectory = "/data", Overlay = status };
        var bytes = NodeStatusJson.Render(node);
        Assert.Contains("\"overlay\":{", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        return NodeStatusJson.Read(bytes).Overlay!;
    }
}
