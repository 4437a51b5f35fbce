using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace EPostEdge.Overlay.Tests.Transport;

/// <summary>A fact that runs only where the IPv6 loopback address ::1 is configured (xunit 2 has no dynamic skip).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IPv6LoopbackFactAttribute : FactAttribute
{
    private static readonly bool Available = Socket.OSSupportsIPv6
        && NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Any(a => a.Address.Equals(IPAddress.IPv6Loopback));

    /// <summary>Skips the test, with the reason, where ::1 is missing.</summary>
    public IPv6LoopbackFactAttribute()
    {
        if (!Available)
        {
            Skip = "::1 is not configured on this machine";
        }
    }
}
