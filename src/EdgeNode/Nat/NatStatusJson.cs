using System.Net;
using System.Text.Json;
using EPostEdge.EdgeNode.Nat.Mapping;

namespace EPostEdge.EdgeNode.Nat;

/// <summary>The "nat" object of status.json (keys in README), written and read by hand (AOT: no reflection).</summary>
public static class NatStatusJson
{
    /// <summary>Writes <paramref name="status"/> as an object.</summary>
    public static void Write(Utf8JsonWriter json, NatStatus status)
    {
        json.WriteStartObject();
        json.WriteString("state", status.State.ToString().ToLowerInvariant());
        WriteString(json, "protocol", status.Protocol is { } p ? NatStatus.Name(p) : null);
        WriteString(json, "gateway", status.Gateway?.ToString());
        WriteString(json, "externalAddress", status.ExternalAddress?.ToString());
        WriteNumber(json, "udpPort", status.UdpPort);
        WriteNumber(json, "tcpPort", status.TcpPort);
        WriteString(json, "externalEndPoint", status.ExternalEndPoint?.ToString());
        if (status.LeaseExpires is { } expires)
        {
            json.WriteString("leaseExpires", expires);
        }
        else
        {
            json.WriteNull("leaseExpires");
        }

        WriteString(json, "lastError", status.LastError);
        if (status.LastErrorAt is { } at)
        {
            json.WriteString("lastErrorAt", at);
        }
        else
        {
            json.WriteNull("lastErrorAt");
        }

        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="Write"/> wrote; unknown or missing values read as null.</summary>
    public static NatStatus Read(JsonElement e)
    {
        var state = Enum.TryParse<NatState>(String(e, "state"), ignoreCase: true, out var s) ? s : NatState.Failed;
        NatProtocol? protocol = String(e, "protocol") switch
        {
            "PCP" => NatProtocol.Pcp,
            "NAT-PMP" => NatProtocol.NatPmp,
            "UPnP-IGD" => NatProtocol.Upnp,
            _ => null,
        };
        return new NatStatus(
            state,
            protocol,
            IPAddress.TryParse(String(e, "gateway"), out var gateway) ? gateway : null,
            IPAddress.TryParse(String(e, "externalAddress"), out var external) ? external : null,
            Int(e, "udpPort"),
            Int(e, "tcpPort"),
            Time(e, "leaseExpires"),
            String(e, "lastError"),
            Time(e, "lastErrorAt"));
    }

    private static void WriteString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string? String(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static DateTimeOffset? Time(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t) ? t : null;
}
