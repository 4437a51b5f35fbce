using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EPostEdge.EdgeNode.Nat.Http;

/// <summary>
/// An <c>http://</c> URL whose host is an IP address: what an IGD's LOCATION header and its
/// description's URLBase / controlURL name (UPnP Device Architecture 1.1 §2.1, §1.3.3). Host
/// names are refused: a gateway names itself by address, and resolving names is not this seam's.
/// </summary>
/// <param name="Host">The server's address.</param>
/// <param name="Port">The TCP port (80 when the URL has none).</param>
/// <param name="PathAndQuery">The request target, starting with '/'.</param>
internal readonly record struct HttpUrl(IPAddress Host, int Port, string PathAndQuery)
{
    /// <summary>Where to connect.</summary>
    public IPEndPoint EndPoint => new(Host, Port);

    /// <summary>The Host header's value (RFC 9112 §3.2): address, brackets for IPv6, and the port.</summary>
    public string Authority => Host.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    public override string ToString() => $"http://{Authority}{PathAndQuery}";

    /// <summary>Parses an absolute <c>http://ADDRESS[:PORT][/PATH]</c> URL.</summary>
    public static bool TryParse(string? text, out HttpUrl url, out string? error)
    {
        url = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "empty URL";
            return false;
        }

        const string scheme = "http://";
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{Untrusted.Quote(text)}' is not an http:// URL";
            return false;
        }

        var rest = text[scheme.Length..];
        var slash = rest.IndexOfAny(['/', '?']);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "/" : rest[slash..];
        if (path.StartsWith('?'))
        {
            path = "/" + path;
        }

        if (authority.Contains('@', StringComparison.Ordinal))
        {
            error = $"'{Untrusted.Quote(text)}' carries user information";
            return false;
        }

        string hostText;
        var port = 80;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{Untrusted.Quote(text)}': unclosed '[' in the host";
                return false;
            }

            hostText = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    error = $"'{Untrusted.Quote(text)}': junk after the IPv6 address";
                    return false;
                }

                portText = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            hostText = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{Untrusted.Quote(text)}': '{Untrusted.Quote(portText)}' is not a port";
            return false;
        }

        if (!IPAddress.TryParse(hostText, out var host) || (host.AddressFamily == AddressFamily.InterNetwork && hostText.Count(c => c == '.') != 3))
        {
            // IPAddress.TryParse takes "10" or "1.2" as IPv4 shorthands; a gateway writes four parts.
            error = $"'{Untrusted.Quote(text)}': the host '{Untrusted.Quote(hostText)}' is not an IP address";
            return false;
        }

        if (path.Any(c => c <= ' ' || c == 0x7F))
        {
            error = $"'{Untrusted.Quote(text)}': spaces or control characters in the path";
            return false;
        }

        url = new HttpUrl(host, port, path);
        error = null;
        return true;
    }

    /// <summary>
    /// Resolves a reference against this URL (RFC 3986 §5.2, the cases devices use): absolute
    /// <c>http://</c>, absolute path, or a path relative to this URL's directory.
    /// </summary>
    public bool TryResolve(string? reference, out HttpUrl resolved, out string? error)
    {
        resolved = default;
        reference = reference?.Trim();
        if (string.IsNullOrEmpty(reference))
        {
            error = "empty URL";
            return false;
        }

        if (reference.Contains("://", StringComparison.Ordinal))
        {
            return TryParse(reference, out resolved, out error);
        }

        if (reference.StartsWith("//", StringComparison.Ordinal))
        {
            error = $"'{Untrusted.Quote(reference)}': a network-path reference names another host";
            return false;
        }

        string path;
        if (reference.StartsWith('/'))
        {
            path = reference;
        }
        else
        {
            var basePath = PathAndQuery;
            var query = basePath.IndexOf('?', StringComparison.Ordinal);
            if (query >= 0)
            {
                basePath = basePath[..query];
            }

            path = basePath[..(basePath.LastIndexOf('/') + 1)] + reference;
        }

        if (path.Any(c => c <= ' ' || c == 0x7F))
        {
            error = $"'{Untrusted.Quote(reference)}': spaces or control characters in the path";
            return false;
        }

        resolved = this with { PathAndQuery = path };
        error = null;
        return true;
    }
}
