using System.Net;
using System.Text.Json;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// The JSON form of <see cref="OverlayNodeStatus"/>: the "overlay" object of status.json,
/// <c>status --json</c> and <c>overlay status --json</c> (keys in README). Utf8JsonWriter and
/// JsonDocument by hand, as <see cref="NodeStatusJson"/>: no reflection in the AOT node.
/// </summary>
public static class OverlayStatusJson
{
    public static void Write(Utf8JsonWriter json, OverlayNodeStatus status)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(status);
        json.WriteStartObject();
        json.WriteString("nodeId", status.Node.ToString());
        json.WriteString("overlayId", status.Overlay.ToString());
        json.WriteString("endPoint", status.EndPoint.ToString());
        json.WriteBoolean("founder", status.Founder);
        json.WriteBoolean("mayInvite", status.MayInvite);
        var live = status.Live;
        json.WriteBoolean("running", live is not null);
        json.WriteBoolean("joined", live?.Joined ?? false);
        if (live is null)
        {
            json.WriteNull("uptimeSeconds");
        }
        else
        {
            json.WriteNumber("uptimeSeconds", Math.Round(live.Uptime.TotalSeconds, 1));
        }

        json.WriteStartObject("leafSet");
        WriteNeighbors(json, "clockwise", live?.ClockwiseLeaves ?? []);
        WriteNeighbors(json, "counterClockwise", live?.CounterClockwiseLeaves ?? []);
        json.WriteEndObject();

        json.WriteStartObject("routingTable");
        json.WriteStartArray("fillByRow");
        foreach (var fill in live?.TableFillByRow ?? [])
        {
            json.WriteNumberValue(fill);
        }

        json.WriteEndArray();
        json.WriteNumber("total", live?.TableFillByRow.Sum() ?? 0);
        WriteNeighbors(json, "entries", live?.RoutingTable ?? []);
        json.WriteEndObject();

        json.WriteNumber("recentlyDead", live?.RecentlyDead ?? 0);
        if (live?.Counters is { } c)
        {
            json.WriteStartObject("counters");
            json.WriteNumber("framesSent", c.FramesSent);
            json.WriteNumber("bytesSent", c.BytesSent);
            json.WriteNumber("framesReceived", c.FramesReceived);
            json.WriteNumber("bytesReceived", c.BytesReceived);
            json.WriteNumber("maintenanceBytesSent", c.MaintenanceBytesSent);
            json.WriteNumber("maintenanceBytesReceived", c.MaintenanceBytesReceived);
            json.WriteNumber("malformed", c.Malformed);
            json.WriteNumber("badMac", c.BadMac);
            json.WriteNumber("certificatesRefused", c.CertificatesRefused);
            json.WriteNumber("unknownSenders", c.UnknownSenders);
            json.WriteNumber("declaredDead", c.DeclaredDead);
            json.WriteNumber("delivered", c.Delivered);
            json.WriteNumber("forwarded", c.Forwarded);
            json.WriteNumber("hopRetries", c.HopRetries);
            json.WriteNumber("routeFailures", c.RouteFailures);
            json.WriteNumber("rootAckTimeouts", c.RootAckTimeouts);
            json.WriteNumber("relayed", c.Relayed);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("counters");
        }

        json.WriteEndObject();
    }

    /// <exception cref="KeyNotFoundException">A required key is missing.</exception>
    /// <exception cref="FormatException">An id or endpoint does not parse.</exception>
    public static OverlayNodeStatus Read(JsonElement e)
    {
        OverlayStatus? live = null;
        if (e.GetProperty("running").GetBoolean())
        {
            var leafSet = e.GetProperty("leafSet");
            var table = e.GetProperty("routingTable");
            var counters = e.GetProperty("counters");
            live = new OverlayStatus(
                new NodeHandle(NodeId.Parse(e.GetProperty("nodeId").GetString()!), IPEndPoint.Parse(e.GetProperty("endPoint").GetString()!)),
                e.GetProperty("joined").GetBoolean(),
                ReadNeighbors(leafSet.GetProperty("clockwise")),
                ReadNeighbors(leafSet.GetProperty("counterClockwise")),
                ReadNeighbors(table.GetProperty("entries")),
                [.. table.GetProperty("fillByRow").EnumerateArray().Select(f => f.GetInt32())],
                e.GetProperty("recentlyDead").GetInt32(),
                counters.ValueKind == JsonValueKind.Object ? ReadCounters(counters) : new OverlayCounters(),
                TimeSpan.FromSeconds(e.TryGetProperty("uptimeSeconds", out var up) && up.ValueKind == JsonValueKind.Number ? up.GetDouble() : 0));
        }

        return new OverlayNodeStatus(
            NodeId.Parse(e.GetProperty("nodeId").GetString()!),
            NodeId.Parse(e.GetProperty("overlayId").GetString()!),
            IPEndPoint.Parse(e.GetProperty("endPoint").GetString()!),
            e.GetProperty("founder").GetBoolean(),
            e.GetProperty("mayInvite").GetBoolean(),
            live);
    }

    private static void WriteNeighbors(Utf8JsonWriter json, string name, IReadOnlyList<NeighborStatus> neighbors)
    {
        json.WriteStartArray(name);
        foreach (var n in neighbors)
        {
            json.WriteStartObject();
            json.WriteString("id", n.Node.Id.ToString());
            json.WriteString("endPoint", n.Node.EndPoint.ToString());
            if (n.RoundTrip is { } rtt)
            {
                json.WriteNumber("rttMs", Math.Round(rtt.TotalMilliseconds, 2));
            }
            else
            {
                json.WriteNull("rttMs");
            }

            if (n.Relay is { } relay)
            {
                // Source routing (ePOST §5): the direct path failed and a third node carries the traffic.
                json.WriteStartObject("via");
                json.WriteString("id", relay.Id.ToString());
                json.WriteString("endPoint", relay.EndPoint.ToString());
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("via");
            }

            json.WriteNumber("failedRounds", n.FailedRounds);
            json.WriteBoolean("routedAround", n.RoutedAround);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static List<NeighborStatus> ReadNeighbors(JsonElement array) =>
        [.. array.EnumerateArray().Select(n => new NeighborStatus(
            Handle(n),
            n.GetProperty("rttMs").ValueKind == JsonValueKind.Number ? TimeSpan.FromMilliseconds(n.GetProperty("rttMs").GetDouble()) : null,
            n.GetProperty("via").ValueKind == JsonValueKind.Object ? Handle(n.GetProperty("via")) : null,
            n.GetProperty("failedRounds").GetInt32(),
            n.GetProperty("routedAround").GetBoolean()))];

    private static NodeHandle Handle(JsonElement e) =>
        new(NodeId.Parse(e.GetProperty("id").GetString()!), IPEndPoint.Parse(e.GetProperty("endPoint").GetString()!));

    private static OverlayCounters ReadCounters(JsonElement c) => new()
    {
        FramesSent = c.GetProperty("framesSent").GetInt64(),
        BytesSent = c.GetProperty("bytesSent").GetInt64(),
        FramesReceived = c.GetProperty("framesReceived").GetInt64(),
        BytesReceived = c.GetProperty("bytesReceived").GetInt64(),
        MaintenanceBytesSent = c.GetProperty("maintenanceBytesSent").GetInt64(),
        MaintenanceBytesReceived = c.GetProperty("maintenanceBytesReceived").GetInt64(),
        Malformed = c.GetProperty("malformed").GetInt64(),
        BadMac = c.GetProperty("badMac").GetInt64(),
        CertificatesRefused = c.GetProperty("certificatesRefused").GetInt64(),
        UnknownSenders = c.GetProperty("unknownSenders").GetInt64(),
        DeclaredDead = c.GetProperty("declaredDead").GetInt64(),
        Delivered = c.GetProperty("delivered").GetInt64(),
        Forwarded = c.GetProperty("forwarded").GetInt64(),
        HopRetries = c.GetProperty("hopRetries").GetInt64(),
        RouteFailures = c.GetProperty("routeFailures").GetInt64(),
        RootAckTimeouts = c.GetProperty("rootAckTimeouts").GetInt64(),
        Relayed = c.GetProperty("relayed").GetInt64(),
    };
}
