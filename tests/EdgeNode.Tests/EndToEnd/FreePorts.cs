using System.Net;
using System.Net.Sockets;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Free loopback TCP ports: bind port 0, read what the kernel chose, close. All sockets of one
/// call are open at the same time, so the ports of one call are distinct.
/// </summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
