using System.Net;
using System.Net.Sockets;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Links;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Transport;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OverlayScribe = EPostEdge.Overlay.Scribe.Scribe;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// The node's Pastry overlay while <c>run</c> runs, registered only when DATA/overlay/node.key
/// exists: binds the overlay port (UDP + TCP), starts a <see cref="PastryNode"/> that joins
/// through the bootstraps (or founds the ring when it has none), answers enrollment requests,
/// and holds the node's <see cref="Scribe"/> and its part of the distributed store
/// (<see cref="DistributedStore"/>: the storage service and DATA/held). Mail never waits for it:
/// starting does not wait for the join.
/// </summary>
internal sealed partial class OverlayService(
    NodeSettings settings,
    NodeConfiguration configuration,
    IFileSystem fileSystem,
    TimeProvider time,
    ILogger<OverlayService> logger,
    Budgets.BudgetMonitor? budgets = null) : IHostedService, IAsyncDisposable
{
    /// <summary>How long a leaving node gives its goodbye frames to reach the wire before the sockets close.</summary>
    public static readonly TimeSpan LeaveGrace = TimeSpan.FromMilliseconds(300);

    private NodeIdentity? _identity;
    private OverlayFounder? _founder;
    private OverlaySettings? _settings;
    private PastryNode? _node;
    private OverlayScribe? _scribe;
    private DistributedStore? _store;

    /// <summary>The running Pastry node (null before start).</summary>
    public PastryNode? Node => _node;

    /// <summary>The node's Scribe (group multicast, later issues); null before start.</summary>
    public OverlayScribe? Scribe => _scribe;

    /// <summary>The distributed store (storage service and held store); null before start and after stop.</summary>
    public DistributedStore? Store => _store;

    /// <summary>Whether the data folder holds an overlay identity (so <c>run</c> registers this service).</summary>
    public static bool IsConfigured(IFileSystem fileSystem, string dataDirectory) =>
        new OverlayFiles(fileSystem, dataDirectory, TimeProvider.System).HasIdentity;

    /// <summary>What status.json shows; null before start.</summary>
    public OverlayNodeStatus? Status()
    {
        if (_identity is not { Certificate: { } certificate } identity || _settings is not { } overlay)
        {
            return null;
        }

        return new OverlayNodeStatus(identity.Id, overlay.Overlay, certificate.EndPoint, _founder is not null, CanInvite(_founder, certificate), _node?.GetStatus());
    }

    /// <summary>The distributed store's durability report for status.json; null when it is not running.</summary>
    public Storage.Past.DurabilityReport? Durability() => _store?.Durability();

    /// <summary>The founder, or a member whose founding-signed certificate carries the invite right.</summary>
    public static bool CanInvite(OverlayFounder? founder, NodeCertificate certificate) =>
        founder is not null || (certificate.MayInvite && certificate.Issuer is null);

    /// <exception cref="OverlayFilesException">The membership files cannot be used.</exception>
    /// <exception cref="PortInUseException">The overlay port is taken.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var files = new OverlayFiles(fileSystem, settings.DataDirectory, time);
        OverlayTrust trust;
        try
        {
            _settings = files.ReadSettings();
            _identity = files.ReadIdentity();
            _founder = files.ReadFounder();
            trust = _settings.Trust();
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new OverlayFilesException($"the overlay membership in {Path.GetFullPath(files.Directory)} cannot be used: {e.Message}", e);
        }

        string? reason = "no certificate";
        if (_identity.Certificate is not { } certificate || !trust.Verify(certificate, out reason))
        {
            throw new OverlayFilesException($"{Path.GetFullPath(files.NodeKeyPath)} holds no certificate of overlay {_settings.Overlay.ToShortString()} that verifies ({reason ?? "no certificate"})");
        }

        if (_founder is not null && !_founder.Trust.FoundingKey.Span.SequenceEqual(trust.FoundingKey.Span))
        {
            throw new OverlayFilesException($"{Path.GetFullPath(files.FounderKeyPath)} is the founding key of another overlay");
        }

        var bind = new IPEndPoint(configuration.OverlayAddress ?? IPAddress.Any, configuration.Overlay.Port);
        SocketTransport transport;
        try
        {
            transport = await SocketTransport.BindAsync(bind, new SocketTransportOptions { TimeProvider = time }, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            var what = e.SocketErrorCode == SocketError.AddressNotAvailable ? "cannot be bound (not an address of this machine)" : "is in use";
            throw new PortInUseException($"overlay port {bind.Port} on {bind.Address} {what} (set Overlay:Port / Overlay:Address in DATA/epostedge.json or EPOSTEDGE_Overlay__Port)", e);
        }

        if (certificate.EndPoint.Port != transport.LocalEndPoint.Port)
        {
            LogEndPointMismatch(certificate.EndPoint.ToString(), transport.LocalEndPoint.ToString());
        }

        var options = new PastryOptions
        {
            LeafSetSize = configuration.Overlay.LeafSetSize,
            KeepAliveInterval = TimeSpan.FromSeconds(configuration.Overlay.KeepAliveSeconds),
            Bootstraps = Bootstraps(_settings.Bootstraps.Concat(configuration.Overlay.Bootstraps), certificate.EndPoint),
        };

        _node = new PastryNode(_identity, trust, new TransportLink(transport), SystemRandomSource.Instance, options, time);
        var desk = new EnrollmentDesk(files, _founder, _identity, time, logger);
        _node.EnrollmentHandler = desk.Answer;
        _scribe = new OverlayScribe(_node);
        var contributed = ContributedQuota.Resolve(configuration.Overlay.ContributedQuota, fileSystem, settings.DataDirectory);
        var storage = new Storage.Past.PastOptions
        {
            Glacier = configuration.Overlay.Glacier,
            MaintenanceInterval = TimeSpan.FromSeconds(configuration.Overlay.MaintenanceSeconds),
        };
        _store = DistributedStore.Open(_node, _identity, fileSystem, settings.DataDirectory, contributed, storage, budgets is null ? null : () => budgets.DiskNearFull);
        var held = _store.Held;
        LogStoreOpened(held.Count, held.UsedBytes, held.CapacityBytes, configuration.Overlay.Glacier ? "replicas and Glacier fragments" : "replicas only", held.OpenReport.ToString());
        _node.Start();
        LogStarted(_identity.Id.ToString(), _settings.Overlay.ToString(), certificate.EndPoint.ToString(), transport.LocalEndPoint.ToString(),
            options.Bootstraps.Count == 0 ? "none: this node founds the ring" : string.Join(", ", options.Bootstraps));
        _ = _node.Joined.ContinueWith(_ => LogJoined(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Pastry §2.4 departures: tell the neighbours, give the frames a moment, close.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_node is { } node)
        {
            node.Leave();
            try
            {
                await Task.Delay(LeaveGrace, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutdown is being hurried: close now.
            }
        }

        await DisposeAsync().ConfigureAwait(false);
        LogStopped();
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is { } store)
        {
            _store = null;
            await store.DisposeAsync().ConfigureAwait(false);
        }

        _scribe?.Dispose();
        _scribe = null;
        if (_node is { } node)
        {
            _node = null;
            await node.DisposeAsync().ConfigureAwait(false);
        }

        _founder?.Dispose();
        _founder = null;

        // The identity stays for Status() (ids only); its private keys are erased here.
        _identity?.Dispose();
    }

    private List<IPEndPoint> Bootstraps(IEnumerable<string> texts, IPEndPoint self)
    {
        var result = new List<IPEndPoint>();
        foreach (var text in texts.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                var endPoint = HostPort.Resolve(text);
                if (!endPoint.Equals(self) && !result.Contains(endPoint))
                {
                    result.Add(endPoint);
                }
            }
            catch (FormatException e)
            {
                // A bootstrap that does not resolve today may tomorrow; the others still work.
                LogBadBootstrap(text, e.Message);
            }
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "overlay: node {Node} in overlay {Overlay}, reached at {EndPoint}, listening on {Bound}; bootstraps: {Bootstraps}")]
    private partial void LogStarted(string node, string overlay, string endPoint, string bound, string bootstraps);

    [LoggerMessage(Level = LogLevel.Information, Message = "distributed store: holding {Items} items, {Bytes} of {Contributed} contributed bytes; {Mode}; held journal: {Journal}")]
    private partial void LogStoreOpened(int items, long bytes, long contributed, string mode, string journal);

    [LoggerMessage(Level = LogLevel.Information, Message = "overlay: joined")]
    private partial void LogJoined();

    [LoggerMessage(Level = LogLevel.Information, Message = "overlay: left and closed")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "overlay: the certificate says peers reach this node at {EndPoint}, but it listens on {Bound}: they will not reach it unless a port forward maps one to the other")]
    private partial void LogEndPointMismatch(string endPoint, string bound);

    [LoggerMessage(Level = LogLevel.Warning, Message = "overlay: bootstrap '{Bootstrap}' skipped: {Reason}")]
    private partial void LogBadBootstrap(string bootstrap, string reason);
}
