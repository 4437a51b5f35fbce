using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// HOST:PORT as the overlay commands and settings take it: <c>192.168.1.20:4031</c>,
/// <c>[fd00::20]:4031</c>, or a name (<c>pi.home.lan:4031</c>) that is looked up when used.
/// </summary>
internal static class HostPort
{
    /// <summary>Splits HOST:PORT; false (with why) when it is not one.</summary>
    public static bool TrySplit(string? text, [NotNullWhen(true)] out string? host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = null;
        port = 0;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "no HOST:PORT given";
            return false;
        }

        if (IPEndPoint.TryParse(text, out var literal) && (text.Contains("]:", StringComparison.Ordinal) || literal.AddressFamily == AddressFamily.InterNetwork) && literal.Port != 0)
        {
            host = literal.Address.ToString();
            port = literal.Port;
            error = null;
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"'{text}' is not HOST:PORT (examples: 192.168.1.20:4031, [fd00::20]:4031, pi.home.lan:4031)";
            return false;
        }

        host = text[..colon];
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"'{host}' in '{text}' is not a host name or address";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>An IP address and port (no name lookup): what a certificate holds.</summary>
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPEndPoint? endPoint, [NotNullWhen(false)] out string? error)
    {
        endPoint = null;
        if (!TrySplit(text, out var host, out var port, out error))
        {
            return false;
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            error = $"'{text}' must be an IP address and port here (it goes into the node's certificate), not a name";
            return false;
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            error = $"'{text}' is the any-address: peers need this node's real address";
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>An address and port, looking the name up (DNS, /etc/hosts) when it is not an IP address.</summary>
    /// <exception cref="FormatException">Not HOST:PORT, or the name does not resolve (the message says which).</exception>
    public static IPEndPoint Resolve(string text)
    {
        if (!TrySplit(text, out var host, out var port, out var error))
        {
            throw new FormatException(error);
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new FormatException($"'{host}' does not resolve: {e.Message}", e);
        }

        // IPv4 first: a home LAN name often has a link-local IPv6 address that needs a scope.
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"'{host}' resolves to no address");
        return new IPEndPoint(chosen, port);
    }

    /// <summary>The text form used in files and output (IPv6 in brackets).</summary>
    public static string Format(IPEndPoint endPoint) => endPoint.ToString();
}
