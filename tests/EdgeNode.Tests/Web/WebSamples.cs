using System.Net;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Web;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Storage.Past;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Tests.Web;

/// <summary>Status snapshots and views for the renderer tests: a node with every part running.</summary>
internal static class WebSamples
{
    public static readonly DateTimeOffset Started = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Now = Started + TimeSpan.FromHours(26) + TimeSpan.FromMinutes(7);

    public static readonly NodeId Self = NodeId.Parse("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678");

    /// <summary>On both sides of the leaf set (few nodes: the sides overlap).</summary>
    public static readonly NodeHandle Both = new(NodeId.Parse("b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"), IPEndPoint.Parse("192.168.1.20:4031"));

    /// <summary>Reached through a relay.</summary>
    public static readonly NodeHandle Relayed = new(NodeId.Parse("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"), IPEndPoint.Parse("203.0.113.7:4031"));

    public static NodeStatus Status(bool withOverlay = true, BudgetStatus? budget = null) => new()
    {
        Running = true,
        DataDirectory = "/var/lib/epost-edge",
        Pid = 4242,
        StartedAt = Started,
        UpdatedAt = Now,
        Blocks = 1234,
        UsedBytes = 56_789_012,
        QuotaBytes = 1L << 30,
        JournalSequence = 98765,
        Mail = new MailStatus(3, 1500, 2),
        Listening = [new ListeningPort("smtp", "0.0.0.0", 2525, false), new ListeningPort("imap", "::", 1993, true)],
        Overlay = withOverlay ? Overlay() : null,
        Durability = withOverlay ? new DurabilityReport(120, 4, 300, 40_000_000, 2L << 30, 17, 250) : null,
        ManagedHeapBytes = 12_345_678,
        GcCommittedBytes = 23_456_789,
        Threads = 7,
        Budget = budget,
    };

    public static OverlayNodeStatus Overlay() => new(
        Self,
        NodeId.Parse("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"),
        IPEndPoint.Parse("192.168.1.10:4031"),
        Founder: true,
        MayInvite: true,
        new OverlayStatus(
            new NodeHandle(Self, IPEndPoint.Parse("192.168.1.10:4031")),
            Joined: true,
            ClockwiseLeaves: [new NeighborStatus(Both, TimeSpan.FromMilliseconds(1.25), null, 0, false), new NeighborStatus(Relayed, null, Both, 2, true)],
            CounterClockwiseLeaves: [new NeighborStatus(Both, TimeSpan.FromMilliseconds(1.25), null, 0, false)],
            RoutingTable: [new NeighborStatus(Both, TimeSpan.FromMilliseconds(1.25), null, 0, false)],
            TableFillByRow: [1],
            RecentlyDead: 1,
            new OverlayCounters { FramesSent = 10, BytesSent = 2000, FramesReceived = 11, BytesReceived = 2100, DeclaredDead = 1 },
            Uptime: Now - Started));

    public static HealthView View(NodeStatus status, NodeCondition condition = NodeCondition.Healthy, IReadOnlyList<string>? reasons = null, IReadOnlyList<LogLine>? log = null) =>
        new(
            new HealthReport(condition, reasons ?? [], Now, status),
            Now,
            "1.2.3+abcdef012345",
            status.Budget?.RssBytes ?? 80_000_000,
            log ?? [new LogLine(Now, LogLevel.Warning, "EPostEdge.EdgeNode.Overlay.OverlayService", "neighbour <b>1</b> \"slow\"")],
            Warnings: 1,
            Errors: 0,
            RefreshSeconds: 5,
            WebEndPoint: "0.0.0.0:8031");
}
