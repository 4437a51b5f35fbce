using System.Globalization;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Nat;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Nat.Upnp;
using EPostEdge.Overlay.Seams;
using Microsoft.Extensions.Logging.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Nat.Igd;

/// <summary>
/// The port mapper against a real IGD (miniupnpd in network namespaces, <see cref="MiniupnpdGateway"/>):
/// each protocol maps UDP and TCP of the overlay port, the router's DNAT rules appear and
/// really forward a peer's packets, a renewal pushes the router's lease expiry out, and the
/// removal takes the rules away again.
/// </summary>
[Collection(MiniupnpdCollection.Name)]
public sealed class MiniupnpdTests(MiniupnpdGateway gateway)
{
    private const int OverlayPort = 4031;
    private static readonly TimeSpan Arrives = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan DoesNotArrive = TimeSpan.FromMilliseconds(400);

    [Theory]
    [InlineData("pcp", NatProtocol.Pcp)]
    [InlineData("natpmp", NatProtocol.NatPmp)]
    [InlineData("upnp", NatProtocol.Upnp)]
    public async Task Each_protocol_maps_udp_and_tcp_renews_and_removes(string protocols, NatProtocol expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var cancel = timeout.Token;
        var options = new NatOptions { Protocols = protocols, LeaseSeconds = 3600 };
        var mapper = new PortMapper(options, OverlayPort, gateway.Network(), TimeProvider.System, new SeededRandomSource(7), NullLogger.Instance);

        Assert.True(await mapper.EstablishAsync(cancel), mapper.Status.LastError + "\n" + gateway.Log);
        var status = mapper.Status;
        Assert.Equal(NatState.Mapped, status.State);
        Assert.Equal(expected, status.Protocol);
        Assert.Equal(MiniupnpdGateway.LanGateway, status.Gateway); // from the LAN namespace's /proc/net/route
        Assert.Equal(MiniupnpdGateway.ExternalAddress, status.ExternalAddress);
        Assert.Equal(OverlayPort, status.UdpPort);
        Assert.Equal(OverlayPort, status.TcpPort);
        Assert.Null(status.LastError);
        Assert.InRange((status.LeaseExpires!.Value - DateTimeOffset.UtcNow).TotalSeconds, 3500, 3601);

        // The router's view: one DNAT per transport to the node's port, and packets from the
        // Internet side really reach the node.
        AssertRules(present: true);
        Assert.True(await Forwarding.UdpArrivesAsync(gateway, OverlayPort, OverlayPort, Arrives), "UDP not forwarded");
        Assert.True(await Forwarding.TcpConnectsAsync(gateway, OverlayPort, OverlayPort, Arrives), "TCP not forwarded");
        var before = LeaseExpiries();
        Assert.Equal(2, before.Count);

        if (mapper.Client is UpnpIgdClient upnp)
        {
            var entry = await upnp.GetSpecificPortMappingEntryAsync(MappedTransport.Tcp, OverlayPort, cancel);
            Assert.NotNull(entry);
            Assert.Equal(MiniupnpdGateway.LanNode.ToString(), entry.InternalClient);
            Assert.Equal(OverlayPort, entry.InternalPort);
            Assert.True(entry.Enabled);
            Assert.Equal(UpnpIgdClient.MappingDescription, entry.Description);
            Assert.InRange(entry.LeaseDuration, 3500, 3600);
        }

        // The router counts leases in whole seconds: a renewal a second later moves them out.
        await Task.Delay(TimeSpan.FromMilliseconds(1100), cancel);
        Assert.True(await mapper.RenewAsync(cancel), mapper.Status.LastError);
        var after = LeaseExpiries();
        foreach (var (key, expiry) in before)
        {
            Assert.True(after[key] > expiry, $"{key}: lease expiry {expiry} not moved by the renewal ({after[key]})");
        }

        Assert.Equal(NatState.Mapped, mapper.Status.State);
        AssertRules(present: true);

        await mapper.RemoveAsync(cancel);
        Assert.Equal(NatState.Removed, mapper.Status.State);
        Assert.Null(mapper.Status.LastError);
        AssertRules(present: false);
        Assert.Empty(LeaseExpiries());
        Assert.False(await Forwarding.UdpArrivesAsync(gateway, OverlayPort, OverlayPort, DoesNotArrive), "UDP still forwarded after removal");
        Assert.False(await Forwarding.TcpConnectsAsync(gateway, OverlayPort, OverlayPort, DoesNotArrive), "TCP still forwarded after removal");
    }

    private void AssertRules(bool present)
    {
        var rules = gateway.DnatRules();
        foreach (var protocolNumber in new[] { "0x11", "0x6" })
        {
            var found = rules.Any(r => r.Contains($"@nh,72,8 {protocolNumber} ", StringComparison.Ordinal)
                && r.Contains($"dport {OverlayPort} ", StringComparison.Ordinal)
                && r.Contains($"dnat ip to {MiniupnpdGateway.LanNode}:{OverlayPort}", StringComparison.Ordinal));
            Assert.True(found == present, $"protocol {protocolNumber} DNAT rule {(present ? "missing" : "left behind")}:\n{string.Join('\n', rules)}");
        }
    }

    /// <summary>Expiry (Unix seconds) of each mapping of the overlay port in miniupnpd's lease file, by protocol.</summary>
    private Dictionary<string, long> LeaseExpiries() =>
        gateway.Leases()
            .Select(line => line.Split(':'))
            .Where(f => f.Length >= 6 && f[1] == OverlayPort.ToString(CultureInfo.InvariantCulture))
            .ToDictionary(f => f[0], f => long.Parse(f[4], CultureInfo.InvariantCulture));
}
