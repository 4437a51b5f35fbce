using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Tests.EndToEnd;
using EPostEdge.EdgeNode.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Web;

/// <summary>The real Kestrel server of the page, on a loopback port, asked over HTTP.</summary>
public sealed class HealthWebServiceTests
{
    [Fact]
    public async Task Serves_health_and_metrics_over_http_and_closes_the_port_on_stop()
    {
        var (service, port) = await StartOnAFreePortAsync();
        await using var _ = service;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), service.EndPoint);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        using (var health = await http.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            Assert.Equal("healthy", json.RootElement.GetProperty("condition").GetString());
            Assert.False(health.Headers.Contains("Server"));
        }

        using (var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative)))
        {
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());
            Assert.Equal(1, Exposition.Parse(await metrics.Content.ReadAsStringAsync()).Single("epostedge_health_serving"));
        }

        await service.StopAsync(CancellationToken.None);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await probe.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_taken_port_stops_the_start_with_a_message_naming_the_setting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var service = Create(new WebOptions { Port = port, Address = "127.0.0.1" });

        var error = await Assert.ThrowsAsync<PortInUseException>(() => service.StartAsync(CancellationToken.None));
        Assert.Equal($"port {port} on 127.0.0.1 is in use (set Web:Port in DATA/epostedge.json or EPOSTEDGE_Web__Port; 0 turns the web page off)", error.Message);
    }

    [Fact]
    public async Task Port_zero_is_off()
    {
        await using var service = Create(new WebOptions { Port = 0 });
        await service.StartAsync(CancellationToken.None);
        Assert.Null(service.EndPoint);
    }

    /// <summary>A port found free can be taken by a parallel test before Kestrel binds it: then another one.</summary>
    private static async Task<(HealthWebService Service, int Port)> StartOnAFreePortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Take(1)[0];
            var service = Create(new WebOptions { Port = port, Address = "127.0.0.1" });
            try
            {
                await service.StartAsync(CancellationToken.None);
                return (service, port);
            }
            catch (PortInUseException) when (attempt < 5)
            {
                await service.DisposeAsync();
            }
        }
    }

    private static HealthWebService Create(WebOptions options)
    {
        // The samples' clock, not the wall clock: the sample node started at a fixed moment.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(WebSamples.Now);
        var status = WebSamples.Status(withOverlay: false);
        var monitor = new HealthMonitor(() => status, time, new HealthOptions(), NullLogger<HealthMonitor>.Instance);
        monitor.Evaluate();
        var endpoints = new HealthEndpoints(monitor, new RecentLogProvider(time), options, 5, time, () => Environment.WorkingSet);
        return new HealthWebService(options, endpoints, new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);
    }
}
