using System.Net;

namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// The "Web" section: the health page, <c>/health</c> and <c>/metrics</c> (environment:
/// <c>EPOSTEDGE_Web__Port</c>, …; README "Web health page").
/// </summary>
public sealed class WebOptions
{
    /// <summary>The default port: beside the overlay's 4031, clear of the usual 80/8080/8000 and of the mail ports.</summary>
    public const int DefaultPort = 8031;

    /// <summary>HTTP port of the page. 0 turns the page off.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// Address the page binds to: all IPv4 interfaces by default ("::" for IPv6 too, "127.0.0.1"
    /// for this machine only). Which clients are answered is <see cref="LanOnly"/>'s business.
    /// </summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>
    /// "LAN only": whatever the address binds to, a request is answered only when it comes from
    /// this machine or the local network: loopback, RFC 1918 private IPv4 (10/8, 172.16/12,
    /// 192.168/16), link-local (169.254/16, fe80::/10) or IPv6 unique-local (fc00::/7, RFC 4193).
    /// Anything else (a router's port forward from the internet) gets 403. Turn off only behind
    /// a VPN whose addresses fall outside those ranges (e.g. 100.64/10).
    /// </summary>
    public bool LanOnly { get; set; } = true;

    /// <summary>
    /// When set, <c>/</c> and <c>/metrics</c> ask for it with HTTP Basic authentication (any user
    /// name; RFC 7617). <c>/health</c> stays open to the LAN: the update rollback and local scripts
    /// poll it without credentials, and it tells the condition and counts, no addresses.
    /// Plain HTTP: the password crosses the LAN readable, like the page itself.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>The bind address, or null when <see cref="Address"/> is not an IP address (a method: the configuration binder would try to bind a property).</summary>
    public IPAddress? BindAddress() => IPAddress.TryParse(Address, out var address) ? address : null;

    /// <summary>Adds what is wrong with this section to <paramref name="errors"/>.</summary>
    public void Validate(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        // The port's range and clashes are checked with the other ports (NodeConfiguration.Ports).
        if (Port != 0 && BindAddress() is null)
        {
            errors.Add($"Web:Address = '{Address}' is not an IP address (0.0.0.0, ::, 127.0.0.1, or one of this machine's)");
        }
    }
}
