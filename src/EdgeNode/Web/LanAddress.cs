using System.Net;
using System.Net.Sockets;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// What "LAN only" lets in (Web:LanOnly): this machine and the addresses a home network uses,
/// never a public address that a router's port forward would bring in.
/// </summary>
public static class LanAddress
{
    /// <summary>
    /// True for loopback (127/8, ::1), RFC 1918 private IPv4 (10/8, 172.16/12, 192.168/16),
    /// link-local (169.254/16 RFC 3927, fe80::/10) and IPv6 unique-local (fc00::/7, RFC 4193);
    /// IPv4-mapped IPv6 addresses (a dual-stack socket's view of IPv4) are judged as IPv4.
    /// Shared address space (100.64/10, RFC 6598) is the provider's side of a carrier NAT: not LAN.
    /// </summary>
    public static bool Contains(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork && length == 4)
        {
            return bytes[0] == 10
                || (bytes[0] == 172 && (bytes[1] & 0xF0) == 16)
                || (bytes[0] == 192 && bytes[1] == 168)
                || (bytes[0] == 169 && bytes[1] == 254);
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            && (address.IsIPv6LinkLocal || (bytes[0] & 0xFE) == 0xFC);
    }
}
