using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>
/// Finds the IPv4 default gateway in the text of /proc/net/route (proc(5): one route a line,
/// whitespace-separated: Iface Destination Gateway Flags RefCnt Use Metric Mask …; addresses as
/// the kernel's 32-bit value in host byte order, printed %08X). Pure: never throws on its input.
/// </summary>
internal static class RouteTable
{
    private const int RouteUp = 0x1;       // RTF_UP (route.h)
    private const int RouteGateway = 0x2;  // RTF_GATEWAY

    /// <summary>The gateway of the up default route (destination and mask 0) with the lowest metric; null when there is none.</summary>
    public static IPAddress? DefaultGateway(string? table) => DefaultRoute(table)?.Gateway;

    /// <summary>The default route's gateway and interface, or null.</summary>
    public static (IPAddress Gateway, string Interface)? DefaultRoute(string? table)
    {
        if (table is null)
        {
            return null;
        }

        (IPAddress Gateway, string Interface, long Metric)? best = null;
        foreach (var line in table.Split('\n'))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8
                || !TryHex(fields[1], out var destination)
                || !TryHex(fields[2], out var gateway)
                || !TryHex(fields[3], out var flags)
                || !long.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out var metric)
                || !TryHex(fields[7], out var mask))
            {
                continue; // the header line, or junk
            }

            if (destination != 0 || mask != 0 || gateway == 0 || (flags & (RouteUp | RouteGateway)) != (RouteUp | RouteGateway))
            {
                continue;
            }

            if (best is null || metric < best.Value.Metric)
            {
                best = (ToAddress(gateway), fields[0], metric);
            }
        }

        return best is { } b ? (b.Gateway, b.Interface) : null;
    }

    private static IPAddress ToAddress(uint hostOrderValue)
    {
        // The kernel prints the in-memory __be32 as a host-order integer: its bytes in host order are the address.
        Span<byte> bytes = stackalloc byte[4];
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, hostOrderValue);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, hostOrderValue);
        }

        return new IPAddress(bytes);
    }

    private static bool TryHex(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
