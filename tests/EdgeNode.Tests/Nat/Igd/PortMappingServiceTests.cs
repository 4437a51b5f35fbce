using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Nat;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Tests.Mail.Smtp;
using EPostEdge.EdgeNode.Tests.Nat.NatPmp;
using EPostEdge.Overlay.Seams;
using Microsoft.Extensions.Logging.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Nat.Igd;

/// <summary>
/// The hosted service and the mapper's choices against the namespaced gateway: renewal at half
/// the lease on the node's clock, removal at stop, PCP → NAT-PMP fallback, a silent UDP 5351,
/// and the back-off after failures.
/// </summary>
[Collection(MiniupnpdCollection.Name)]
public sealed class PortMappingServiceTests(MiniupnpdGateway gateway)
{
    private const int OverlayPort = 4031;

    [Fact]
    public async Task The_service_maps_at_start_renews_at_half_the_lease_and_removes_at_stop()
    {
        var clock = new CountingTimeProvider();
        clock.SetUtcNow(DateTimeOffset.UtcNow);
        var configuration = new NodeConfiguration();
        configuration.Overlay.Port = OverlayPort;
        configuration.Nat.LeaseSeconds = 600;
        await using var service = new PortMappingService(configuration, gateway.Network(), clock, new SeededRandomSource(3), NullLogger<PortMappingService>.Instance);

        await service.StartAsync(CancellationToken.None);
        var mapped = await WaitForAsync(() => service.Status() is { State: NatState.Mapped } s ? s : null);
        Assert.Equal(NatProtocol.Pcp, mapped.Protocol); // the default order: PCP first, and miniupnpd speaks it
        Assert.Equal(new IPEndPoint(MiniupnpdGateway.ExternalAddress, OverlayPort), mapped.ExternalEndPoint);
        Assert.Equal(clock.GetUtcNow().AddSeconds(600), mapped.LeaseExpires);

        // status.json and `epost-edge status` show it.
        var json = NodeStatusJson.Render(new NodeStatus { Running = true, DataDirectory = "/data", Nat = mapped });
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal("192.0.1.7:4031", document.RootElement.GetProperty("nat").GetProperty("externalEndPoint").GetString());
            Assert.Equal("PCP", document.RootElement.GetProperty("nat").GetProperty("protocol").GetString());
        }

        Assert.Equal(mapped, NodeStatusJson.Read(json).Nat);
        Assert.StartsWith("192.0.1.7:4031 by PCP via 10.77.0.1, UDP+TCP, lease until ", mapped.Describe(), StringComparison.Ordinal);

        // Nothing happens before half the lease; at half, both mappings are renewed.
        var firstExpiry = Expiries();
        await Task.Delay(TimeSpan.FromMilliseconds(1100)); // miniupnpd's expiry times are whole seconds
        await clock.WaitForTimersAsync(TimeSpan.FromSeconds(300), 1); // the renewal's wait is armed
        clock.Advance(TimeSpan.FromSeconds(299));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(firstExpiry, Expiries());
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(() => Expiries() is var now && now.Count == 2 && now.All(e => e.Value > firstExpiry[e.Key]) ? now : null);
        var renewed = await WaitForAsync(() => service.Status() is { LeaseExpires: { } e } s && e > mapped.LeaseExpires ? s : null);
        Assert.Equal(clock.GetUtcNow().AddSeconds(600), renewed.LeaseExpires);

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(NatState.Removed, service.Status().State);
        Assert.Empty(gateway.DnatRules());
        Assert.Empty(Expiries());
    }

    [Fact]
    public async Task A_natpmp_only_gateway_answers_pcp_with_unsupported_version_and_natpmp_maps_and_a_cgnat_address_is_flagged()
    {
        // The responder stands where the gateway's UDP 5351 is expected: the node's own LAN
        // address, named by Nat:Gateway.
        var socket = gateway.Lan.NewSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(MiniupnpdGateway.LanNode, 5351));
        // Its own WAN side is the provider's carrier-grade NAT (RFC 6598 shared space).
        var cgnat = IPAddress.Parse("100.64.12.34");
        await using var responder = new NatPmpOnlyResponder(socket, cgnat);
        var options = new NatOptions { Gateway = MiniupnpdGateway.LanNode.ToString() };
        var mapper = new PortMapper(options, OverlayPort, gateway.Network(), TimeProvider.System, new SeededRandomSource(4), NullLogger.Instance);

        Assert.True(await mapper.EstablishAsync(CancellationToken.None), mapper.Status.LastError);
        Assert.Equal(NatProtocol.NatPmp, mapper.Status.Protocol);
        Assert.Equal(new IPEndPoint(cgnat, OverlayPort), mapper.Status.ExternalEndPoint);
        Assert.Equal(OverlayPort, mapper.Status.TcpPort);
        Assert.Contains("100.64.12.34 is itself private", mapper.Status.LastError, StringComparison.Ordinal);
        Assert.Equal(1, responder.RequestsByVersion[2]); // one PCP request, answered UNSUPP_VERSION at once
        Assert.Equal(2, responder.Mappings.Count);

        await mapper.RemoveAsync(CancellationToken.None);
        Assert.Empty(responder.Mappings);
    }

    [Fact]
    public async Task Nothing_on_udp_5351_skips_natpmp_at_once_and_upnp_maps()
    {
        // Nat:Gateway names a host with no PCP/NAT-PMP server: its ICMP port unreachable ends
        // the PCP try at once (no 45 s of retransmissions), NAT-PMP is skipped, and SSDP finds
        // miniupnpd's IGD on the LAN.
        var options = new NatOptions { Gateway = MiniupnpdGateway.LanNode.ToString() };
        var timings = NatTimings.Default with { SsdpWait = TimeSpan.FromSeconds(1) };
        var mapper = new PortMapper(options, OverlayPort, gateway.Network(), TimeProvider.System, new SeededRandomSource(5), NullLogger.Instance, timings);
        var watch = Stopwatch.StartNew();
        Assert.True(await mapper.EstablishAsync(CancellationToken.None), mapper.Status.LastError);
        watch.Stop();
        Assert.Equal(NatProtocol.Upnp, mapper.Status.Protocol);
        Assert.Equal(new IPEndPoint(MiniupnpdGateway.ExternalAddress, OverlayPort), mapper.Status.ExternalEndPoint);
        // PCP's retransmissions alone would take 45 s; SSDP waits out its first round (0.5 s)
        // for more answers, since the IGD is not the named gateway.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        await mapper.RemoveAsync(CancellationToken.None);
        Assert.Empty(gateway.DnatRules());
    }

    [Fact]
    public async Task Failed_discoveries_are_retried_with_doubling_waits_up_to_the_maximum()
    {
        var clock = new CountingTimeProvider();
        clock.SetUtcNow(DateTimeOffset.UtcNow);
        var options = new NatOptions { Gateway = MiniupnpdGateway.LanNode.ToString(), Protocols = "pcp,natpmp" };
        var timings = NatTimings.Default with { FirstRetry = TimeSpan.FromSeconds(60), MaxRetry = TimeSpan.FromSeconds(240) };
        var mapper = new PortMapper(options, OverlayPort, gateway.Network(), clock, new SeededRandomSource(6), NullLogger.Instance, timings);
        using var stop = new CancellationTokenSource();
        var running = mapper.RunAsync(stop.Token);
        var start = clock.GetUtcNow();
        var attempts = new List<TimeSpan>();
        var armed = new Dictionary<TimeSpan, int>();
        foreach (var wait in new[] { 0, 60, 120, 240, 240 })
        {
            if (wait > 0)
            {
                // The mapper publishes the failure, then arms its wait: advance only once it is armed.
                var due = TimeSpan.FromSeconds(wait);
                armed[due] = armed.GetValueOrDefault(due) + 1;
                await clock.WaitForTimersAsync(due, armed[due]);
                clock.Advance(TimeSpan.FromSeconds(wait - 1));
                await Task.Delay(200);
                Assert.Equal(attempts[^1], mapper.Status.LastErrorAt!.Value - start); // not before its time
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            var expected = clock.GetUtcNow() - start;
            await WaitForAsync(() => mapper.Status.LastErrorAt is { } at && at - start == expected ? (object)at : null);
            attempts.Add(expected);
            Assert.Equal(NatState.Failed, mapper.Status.State);
            Assert.Contains("unreachable", mapper.Status.LastError, StringComparison.Ordinal);
            Assert.Contains("NAT-PMP: skipped", mapper.Status.LastError, StringComparison.Ordinal);
        }

        Assert.Equal([0, 60, 180, 420, 660], attempts.Select(a => a.TotalSeconds));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    private Dictionary<string, long> Expiries() =>
        gateway.Leases().Select(l => l.Split(':')).Where(f => f.Length >= 6 && f[1] == "4031").ToDictionary(f => f[0], f => long.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("the expected state did not come within 30 s");
            }

            await Task.Delay(20);
        }
    }
}
