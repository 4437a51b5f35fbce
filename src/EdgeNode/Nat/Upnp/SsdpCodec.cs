using System.Globalization;
using System.Net;
using System.Text;
using EPostEdge.EdgeNode.Nat.Http;

namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>
/// SSDP search (UPnP Device Architecture 1.1 §1.3): the M-SEARCH a control point multicasts to
/// 239.255.255.250:1900 and the parse of the unicast answers. Pure: no sockets here.
/// </summary>
internal static class SsdpCodec
{
    /// <summary>UDA 1.1 §1.1.2: the SSDP multicast address and port.</summary>
    public static readonly IPEndPoint MulticastEndPoint = new(IPAddress.Parse("239.255.255.250"), 1900);

    /// <summary>UDA 1.1 §1.1.2: multicast TTL should default to 2.</summary>
    public const int MulticastTimeToLive = 2;

    /// <summary>The WAN connection services that can map ports, best first (IGD v2, v1, and the PPP variant DSL routers use).</summary>
    public static readonly IReadOnlyList<string> ConnectionServiceTypes =
    [
        "urn:schemas-upnp-org:service:WANIPConnection:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ];

    /// <summary>
    /// An M-SEARCH request (UDA 1.1 §1.3.2): HOST, MAN "ssdp:discover", MX (seconds a device may
    /// wait at random before answering, 1..5), ST.
    /// </summary>
    public static byte[] BuildSearch(string searchTarget, int maxWaitSeconds)
    {
        var mx = Math.Clamp(maxWaitSeconds, 1, 5).ToString(CultureInfo.InvariantCulture);
        return Encoding.ASCII.GetBytes(
            "M-SEARCH * HTTP/1.1\r\n" +
            "HOST: 239.255.255.250:1900\r\n" +
            "MAN: \"ssdp:discover\"\r\n" +
            $"MX: {mx}\r\n" +
            $"ST: {searchTarget}\r\n" +
            "USER-AGENT: Linux UPnP/1.1 epost-edge/1\r\n" +
            "\r\n");
    }

    /// <summary>
    /// Parses a search response: "HTTP/1.1 200 OK" with ST and LOCATION. NOTIFY announcements and
    /// other messages are refused with a reason; so is anything malformed.
    /// </summary>
    public static bool TryParseResponse(ReadOnlySpan<byte> datagram, out SsdpResponse? response, out string? error)
    {
        response = null;
        if (HttpCodec.TryParseHead(datagram, allowUnterminated: true, out var head, out error) != HttpParseStatus.Complete)
        {
            error ??= "incomplete SSDP message";
            return false;
        }

        if (head!.StatusCode != 200)
        {
            error = $"SSDP answer with status {head.StatusCode}";
            return false;
        }

        var location = head["LOCATION"];
        var target = head["ST"];
        if (string.IsNullOrWhiteSpace(location) || string.IsNullOrWhiteSpace(target))
        {
            error = "SSDP answer without LOCATION or ST";
            return false;
        }

        response = new SsdpResponse(target, location, head["USN"], head["SERVER"]);
        error = null;
        return true;
    }
}
