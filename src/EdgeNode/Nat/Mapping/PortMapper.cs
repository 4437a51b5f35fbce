using System.Net;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Nat.NatPmp;
using EPostEdge.EdgeNode.Nat.Network;
using EPostEdge.EdgeNode.Nat.Pcp;
using EPostEdge.EdgeNode.Nat.Upnp;
using EPostEdge.Overlay.Seams;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Nat.Mapping;

/// <summary>
/// Keeps the overlay port mapped on the router: find the gateway (Nat:Gateway or the default
/// route), try the protocols in order (a PCP server that does not answer at all means no
/// NAT-PMP either: they share UDP 5351, and RFC 6887 §9 has a NAT-PMP server answer PCP with
/// UNSUPP_VERSION), map UDP and then TCP of the same port, renew at half the granted lease
/// (RFC 6886 §3.3, RFC 6887 §11.2.1), rediscover when a renewal fails, and back off between
/// failed discoveries. <see cref="RemoveAsync"/> deletes the mappings at shutdown. One caller
/// at a time: <see cref="RunAsync"/>, then, after it ended, <see cref="RemoveAsync"/>.
/// </summary>
internal sealed partial class PortMapper(
    NatOptions options,
    int port,
    INatNetwork network,
    TimeProvider time,
    IRandomSource random,
    ILogger logger,
    NatTimings? timings = null)
{
    private readonly NatTimings _timings = timings ?? NatTimings.Default;
    private NatStatus _status = new(NatState.Discovering, null, null, null, null, null, null, null, null);
    private IPortMappingClient? _client;
    private PortMapping? _udp;
    private PortMapping? _tcp;

    /// <summary>The current state, for status.json.</summary>
    public NatStatus Status => Volatile.Read(ref _status);

    /// <summary>The client that holds the mappings (null when none).</summary>
    public IPortMappingClient? Client => _client;

    /// <summary>Maps, renews and rediscovers until cancelled; returns at once when the settings cannot be used.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = _timings.FirstRetry;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (options.Validate() is { Count: > 0 } problems)
            {
                var message = string.Join("; ", problems);
                Fail(null, message);
                LogBadSettings(message);
                return;
            }

            if (await EstablishAsync(cancellationToken).ConfigureAwait(false))
            {
                retry = _timings.FirstRetry;
                do
                {
                    await Task.Delay(RenewalDelay(), time, cancellationToken).ConfigureAwait(false);
                }
                while (await RenewAsync(cancellationToken).ConfigureAwait(false));

                continue; // rediscover at once: the router may have changed or rebooted
            }

            LogNotMapped(Status.Gateway?.ToString() ?? "?", Status.LastError ?? "?", retry);
            await Task.Delay(retry, time, cancellationToken).ConfigureAwait(false);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _timings.MaxRetry.Ticks));
        }
    }

    /// <summary>Finds the gateway and a protocol it speaks, and maps UDP and TCP; true when at least UDP is mapped.</summary>
    public async Task<bool> EstablishAsync(CancellationToken cancellationToken)
    {
        _client = null;
        _udp = _tcp = null;
        if (!options.TryGetGateway(out var gateway) || !options.TryGetProtocols(out var protocols, out _))
        {
            Fail(null, string.Join("; ", options.Validate()));
            return false;
        }

        gateway ??= RouteTable.DefaultGateway(network.ReadRouteTable());
        if (gateway is null)
        {
            Fail(null, "no IPv4 default route (set Nat:Gateway to the router's address)");
            return false;
        }

        var local = network.LocalAddressToward(gateway);
        if (local is null)
        {
            Fail(gateway, $"no local address toward {gateway}");
            return false;
        }

        Publish(Status with { State = NatState.Discovering, Gateway = gateway });
        var lifetime = TimeSpan.FromSeconds(options.LeaseSeconds);
        var errors = new List<string>();
        var portControlSilent = false;
        foreach (var protocol in protocols)
        {
            if (protocol is NatProtocol.Pcp or NatProtocol.NatPmp && portControlSilent)
            {
                errors.Add($"{NatStatus.Name(protocol)}: skipped (nothing answers on UDP 5351)");
                continue;
            }

            try
            {
                var client = await ConnectAsync(protocol, gateway, local, cancellationToken).ConfigureAwait(false);
                var udp = await client.MapAsync(MappedTransport.Udp, port, port, lifetime, cancellationToken).ConfigureAwait(false);
                _client = client;
                _udp = udp;
                var tcpError = await MapTcpAsync(udp.ExternalPort, lifetime, cancellationToken).ConfigureAwait(false);
                PublishMapped(gateway, tcpError);
                LogMapped(NatStatus.Name(protocol), gateway.ToString(), port, Status.ExternalEndPoint!.ToString(), _tcp is null ? "not mapped" : _tcp.ExternalPort == udp.ExternalPort ? "same port" : $"port {_tcp.ExternalPort}", udp.Lifetime);
                return true;
            }
            catch (NatNoServerException e) when (protocol is NatProtocol.Pcp or NatProtocol.NatPmp)
            {
                portControlSilent = true;
                errors.Add(e.Message);
            }
            catch (Exception e) when (e is NatNoServerException or NatRefusedException or NatProtocolException)
            {
                errors.Add(e.Message);
            }
        }

        Fail(gateway, string.Join("; ", errors));
        return false;
    }

    /// <summary>Renews both mappings with the same client; false (with the error in the status) when UDP could not be renewed.</summary>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        if (_client is not { } client || _udp is not { } udp)
        {
            return false;
        }

        var lifetime = TimeSpan.FromSeconds(options.LeaseSeconds);
        try
        {
            var renewed = await client.MapAsync(MappedTransport.Udp, port, udp.ExternalPort, lifetime, cancellationToken).ConfigureAwait(false);
            if (renewed.ExternalPort != udp.ExternalPort || !renewed.ExternalAddress.Equals(udp.ExternalAddress))
            {
                LogMovedTo($"{udp.ExternalAddress}:{udp.ExternalPort}", $"{renewed.ExternalAddress}:{renewed.ExternalPort}");
            }

            _udp = renewed;
        }
        catch (Exception e) when (e is NatNoServerException or NatRefusedException or NatProtocolException)
        {
            Fail(Status.Gateway, $"renewal: {e.Message}");
            LogRenewalFailed(e.Message);
            return false;
        }

        var tcpError = await MapTcpAsync(_tcp?.ExternalPort ?? _udp.ExternalPort, lifetime, cancellationToken).ConfigureAwait(false);
        PublishMapped(Status.Gateway!, tcpError);
        return true;
    }

    /// <summary>Deletes the mappings this node holds (at shutdown); errors are logged, never thrown.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        if (_client is not { } client)
        {
            return;
        }

        var errors = new List<string>();
        foreach (var mapping in new[] { _udp, _tcp })
        {
            if (mapping is null)
            {
                continue;
            }

            try
            {
                await client.DeleteAsync(mapping, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatNoServerException or NatRefusedException or NatProtocolException or OperationCanceledException)
            {
                errors.Add($"{mapping.Transport} {mapping.ExternalPort}: {(e is OperationCanceledException ? "no answer in time" : e.Message)}");
            }
        }

        _client = null;
        _udp = _tcp = null;
        var error = errors.Count == 0 ? null : "removing: " + string.Join("; ", errors);
        Publish(Status with { State = NatState.Removed, LeaseExpires = null, LastError = error ?? Status.LastError, LastErrorAt = error is null ? Status.LastErrorAt : time.GetUtcNow() });
        LogRemoved(error ?? "done");
    }

    /// <summary>When to renew: half the shorter granted lease (permanent mappings are re-asserted at half of Nat:LeaseSeconds).</summary>
    public TimeSpan RenewalDelay()
    {
        var leases = new[] { _udp?.Lifetime, _tcp?.Lifetime }.Where(l => l is { } t && t > TimeSpan.Zero).Select(l => l!.Value).ToList();
        var lease = leases.Count > 0 ? leases.Min() : TimeSpan.FromSeconds(options.LeaseSeconds);
        return lease / 2;
    }

    private async Task<IPortMappingClient> ConnectAsync(NatProtocol protocol, IPAddress gateway, IPAddress local, CancellationToken cancellationToken) => protocol switch
    {
        NatProtocol.Pcp => new PcpClient(network, new IPEndPoint(gateway, PcpCodec.ServerPort), local, time, random, _timings.Pcp),
        NatProtocol.NatPmp => new NatPmpClient(network, new IPEndPoint(gateway, NatPmpCodec.ServerPort), local, time, random, _timings.NatPmp),
        _ => await UpnpIgdClient.DiscoverAsync(network, local, gateway, time, random, _timings.SsdpWait, cancellationToken).ConfigureAwait(false),
    };

    private async Task<string?> MapTcpAsync(int suggestedExternalPort, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        try
        {
            _tcp = await _client!.MapAsync(MappedTransport.Tcp, port, suggestedExternalPort, lifetime, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is NatNoServerException or NatRefusedException or NatProtocolException)
        {
            // UDP carries the overlay's keep-alives and small frames: keep it, and try TCP again at the next renewal.
            _tcp = null;
            LogTcpNotMapped(e.Message);
            return $"TCP: {e.Message}";
        }
    }

    private void PublishMapped(IPAddress gateway, string? error)
    {
        var udp = _udp!;
        if (IsPrivate(udp.ExternalAddress))
        {
            // The router's own WAN side is another private network (carrier-grade NAT, RFC 6598, or a
            // second router): the mapping holds, but the Internet still cannot reach this node.
            var behind = $"the router's external address {udp.ExternalAddress} is itself private: another NAT (the provider's, or a second router) stands in front of it";
            error = error is null ? behind : $"{error}; {behind}";
        }

        var expires = new[] { udp.ExpiresAt, _tcp?.ExpiresAt }.Where(e => e is not null).Min();
        Publish(new NatStatus(NatState.Mapped, _client!.Protocol, gateway, udp.ExternalAddress, udp.ExternalPort, _tcp?.ExternalPort, expires, error, error is null ? null : time.GetUtcNow()));
    }

    /// <summary>RFC 1918, RFC 6598 shared (CGNAT), link-local and loopback IPv4 addresses.</summary>
    internal static bool IsPrivate(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6UniqueLocal || IPAddress.IsLoopback(address);
        }

        var b = address.GetAddressBytes();
        return b[0] == 10
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && b[1] is >= 64 and <= 127)
            || (b[0] == 169 && b[1] == 254)
            || b[0] == 127;
    }

    private void Fail(IPAddress? gateway, string error) =>
        Publish(new NatStatus(NatState.Failed, null, gateway, null, null, null, null, error, time.GetUtcNow()));

    private void Publish(NatStatus status) => Volatile.Write(ref _status, status);

    [LoggerMessage(Level = LogLevel.Information, Message = "nat: {Protocol} via {Gateway}: overlay port {Port} is reached from the Internet at {External} (UDP; TCP {Tcp}), lease {Lease}")]
    private partial void LogMapped(string protocol, string gateway, int port, string external, string tcp, TimeSpan lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nat: the overlay's TCP port is not mapped: {Error}")]
    private partial void LogTcpNotMapped(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nat: no port mapping via {Gateway}: {Error}; next try in {Retry}")]
    private partial void LogNotMapped(string gateway, string error, TimeSpan retry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nat: renewal failed ({Error}); looking for the router again")]
    private partial void LogRenewalFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nat: the router moved the mapping from {Before} to {After}")]
    private partial void LogMovedTo(string before, string after);

    [LoggerMessage(Level = LogLevel.Information, Message = "nat: mappings removed ({Outcome})")]
    private partial void LogRemoved(string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nat: port mapping is off, the settings cannot be used: {Error}")]
    private partial void LogBadSettings(string error);
}
