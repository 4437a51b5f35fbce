using System.Net;
using System.Net.Sockets;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// The health page's server: Kestrel (HTTP/1.1, plain) started by this one hosted service inside
/// the node's generic host, with <see cref="HealthEndpoints.HandleAsync"/> as its only request
/// delegate. No WebApplication, routing or MVC: the node needs three fixed paths, and every
/// piece left out is code the AOT binary does not carry and the trimmer need not reason about.
/// Like the mail ports, a taken port stops the node with a message naming the setting.
/// </summary>
internal sealed partial class HealthWebService(
    WebOptions options,
    HealthEndpoints endpoints,
    IServiceProvider services,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<HealthWebService>();
    private KestrelServer? _server;

    /// <summary>Where the page listens once started (the port Kestrel bound); null when off.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Port == 0)
        {
            return;
        }

        var address = options.BindAddress() ?? throw new InvalidOperationException($"Web:Address = '{options.Address}' is not an IP address");
        var kestrel = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = services };

        // A page for a few people on a LAN: small limits, nothing to upload.
        kestrel.Limits.MaxConcurrentConnections = 32;
        kestrel.Limits.MaxRequestBodySize = 0;
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        var server = new KestrelServer(Options.Create(kestrel), transport, loggerFactory);
        try
        {
            await server.StartAsync(new Application(endpoints), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            server.Dispose();
            var denied = ex.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied };
            var what = denied ? "cannot be bound (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : "is in use";
            throw new PortInUseException($"port {options.Port} on {address} {what} (set Web:Port in DATA/epostedge.json or EPOSTEDGE_Web__Port; 0 turns the web page off)", ex);
        }

        _server = server;
        EndPoint = BoundEndPoint(server) ?? new IPEndPoint(address, options.Port);
        LogListening(EndPoint.ToString(), options.LanOnly ? "LAN only" : "any address", options.Password is { Length: > 0 } ? "with a password" : "no password");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync(cancellationToken).ConfigureAwait(false);
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private static IPEndPoint? BoundEndPoint(KestrelServer server)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
            ? new IPEndPoint(ip, uri.Port)
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "web: health page on http://{EndPoint}/ ({Who}, {Password})")]
    private partial void LogListening(string endPoint, string who, string password);

    /// <summary>Kestrel's view of an application: one HttpContext per request over the connection's features.</summary>
    private sealed class Application(HealthEndpoints endpoints) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => endpoints.HandleAsync(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
