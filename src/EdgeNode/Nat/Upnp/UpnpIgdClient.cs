using System.Globalization;
using System.Net;
using EPostEdge.EdgeNode.Nat.Http;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Nat.Network;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>
/// A UPnP IGD control point for one WAN connection service (WANIPConnection v1/v2, or
/// WANPPPConnection v1): found by SSDP M-SEARCH and the device description (UDA 1.1 §1.3, §2),
/// then driven by SOAP actions (§3.2): GetExternalIPAddress, AddPortMapping (renewal is the
/// same call, which overwrites the client's own mapping), AddAnyPortMapping (v2, on a
/// conflict), DeletePortMapping, GetSpecificPortMappingEntry.
/// </summary>
internal sealed class UpnpIgdClient : IPortMappingClient
{
    /// <summary>Descriptions above this are refused (a large router's is about 10 KiB).</summary>
    public const int MaxDescriptionBytes = 256 * 1024;

    /// <summary>SOAP answers above this are refused.</summary>
    public const int MaxControlBytes = 64 * 1024;

    /// <summary>What the mappings are called in the router's table.</summary>
    public const string MappingDescription = "epost-edge overlay";

    /// <summary>IGD v2 §2.3.16 (PortMappingLeaseDuration): at most one week.</summary>
    public static readonly TimeSpan MaxLeaseV2 = TimeSpan.FromSeconds(604800);

    /// <summary>One HTTP exchange's bound.</summary>
    public static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(5);

    private const int ConflictInMappingEntry = 718;
    private const int NoSuchEntryInArray = 714;
    private const int OnlyPermanentLeasesSupported = 725;

    private readonly INatNetwork _network;
    private readonly IPAddress _localAddress;
    private readonly TimeProvider _time;
    private readonly IRandomSource _random;

    private UpnpIgdClient(INatNetwork network, IgdService service, HttpUrl location, IPAddress localAddress, TimeProvider time, IRandomSource random)
    {
        _network = network;
        Service = service;
        Location = location;
        _localAddress = localAddress;
        _time = time;
        _random = random;
    }

    public NatProtocol Protocol => NatProtocol.Upnp;

    /// <summary>The connection service in use.</summary>
    public IgdService Service { get; }

    /// <summary>Where the device description was read.</summary>
    public HttpUrl Location { get; }

    /// <summary>
    /// Multicasts M-SEARCH for the connection service types from <paramref name="localAddress"/>
    /// (again after half of <paramref name="wait"/> if nothing answered, for loss), takes answers
    /// for up to <paramref name="wait"/> (no longer once <paramref name="gateway"/> answers), and returns a client for the first device whose
    /// description has a connection service. A LOCATION on another host than the answer's
    /// sender is ignored: only the device that answered is spoken to.
    /// </summary>
    /// <exception cref="NatNoServerException">No IGD answered.</exception>
    /// <exception cref="NatProtocolException">IGDs answered, but none with a usable description.</exception>
    public static async Task<UpnpIgdClient> DiscoverAsync(INatNetwork network, IPAddress localAddress, IPAddress? gateway, TimeProvider time, IRandomSource random, TimeSpan wait, CancellationToken cancellationToken)
    {
        var found = new List<(IPAddress From, HttpUrl Location, int Preference)>();
        string? problem = null;
        using (var socket = network.OpenDatagram(localAddress, null))
        {
            var buffer = new byte[2048];
            // Round two (the searches again, for loss) only when round one found nothing.
            for (var round = 0; round < 2 && found.Count == 0; round++)
            {
                foreach (var target in SsdpCodec.ConnectionServiceTypes)
                {
                    await socket.SendAsync(SsdpCodec.BuildSearch(target, 2), SsdpCodec.MulticastEndPoint, cancellationToken).ConfigureAwait(false);
                }

                using var timeout = new CancellationTokenSource(wait / 2, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    while (!found.Exists(f => f.From.Equals(gateway)))
                    {
                        var (length, from) = await socket.ReceiveAsync(buffer, linked.Token).ConfigureAwait(false);
                        if (!SsdpCodec.TryParseResponse(buffer.AsSpan(0, length), out var answer, out var error))
                        {
                            problem = $"SSDP answer from {from.Address}: {error}";
                            continue;
                        }

                        // Unicast answers come only to our search; a device that names another type (its
                        // device type, say) may still have the service: the description decides.
                        var preference = IndexOf(SsdpCodec.ConnectionServiceTypes, answer!.SearchTarget);
                        if (preference < 0)
                        {
                            preference = SsdpCodec.ConnectionServiceTypes.Count;
                        }

                        if (!HttpUrl.TryParse(answer.Location, out var location, out error) || !location.Host.Equals(from.Address))
                        {
                            problem = $"SSDP answer from {from.Address}: LOCATION '{Untrusted.Quote(answer.Location)}' {error ?? "names another host"}";
                            continue;
                        }

                        if (!found.Exists(f => f.Location == location))
                        {
                            found.Add((from.Address, location, preference));
                        }
                    }
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // This round's wait is over.
                }
            }
        }

        if (found.Count == 0)
        {
            throw new NatNoServerException(problem is null ? $"no UPnP IGD answered M-SEARCH within {wait.TotalSeconds:0.#} s" : $"no usable UPnP IGD answer ({problem})");
        }

        var errors = new List<string>();
        foreach (var (from, location, _) in found.OrderBy(f => f.From.Equals(gateway) ? 0 : 1).ThenBy(f => f.Preference))
        {
            try
            {
                var request = HttpCodec.BuildRequest("GET", location, [new("User-Agent", "Linux UPnP/1.1 epost-edge/1")], []);
                var response = await WithTimeoutAsync(time, location, ct => network.ExchangeHttpAsync(location.EndPoint, request, MaxDescriptionBytes, ct), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != 200)
                {
                    errors.Add($"{location}: HTTP {response.StatusCode}");
                    continue;
                }

                if (!IgdDescription.TryFindConnectionService(response.BodyText, location, out var service, out var error))
                {
                    errors.Add($"{location}: {error}");
                    continue;
                }

                return new UpnpIgdClient(network, service!, location, localAddress, time, random);
            }
            catch (Exception e) when (e is NatNoServerException or NatProtocolException)
            {
                errors.Add($"{location} ({from}): {e.Message}");
            }
        }

        throw new NatProtocolException("UPnP IGD found, but not usable: " + string.Join("; ", errors));
    }

    /// <summary>GetExternalIPAddress.</summary>
    public async Task<IPAddress> ExternalAddressAsync(CancellationToken cancellationToken)
    {
        var result = await InvokeAsync("GetExternalIPAddress", [], cancellationToken).ConfigureAwait(false);
        Check(result, "GetExternalIPAddress");
        var text = result.Arguments.GetValueOrDefault("NewExternalIPAddress");
        if (!IPAddress.TryParse(text, out var address) || address.Equals(IPAddress.Any))
        {
            throw new NatProtocolException($"UPnP: the gateway has no usable external address ('{Untrusted.Quote(text)}')");
        }

        return address;
    }

    public async Task<PortMapping> MapAsync(MappedTransport transport, int internalPort, int suggestedExternalPort, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var lease = (int)Math.Clamp(lifetime.TotalSeconds, 1, Service.Version >= 2 ? MaxLeaseV2.TotalSeconds : int.MaxValue);
        var external = suggestedExternalPort;
        for (var attempt = 0; ; attempt++)
        {
            var result = await InvokeAsync("AddPortMapping", MappingArguments(transport, external, internalPort, lease), cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                break;
            }

            if (result.ErrorCode == OnlyPermanentLeasesSupported && lease != 0)
            {
                // IGD v1 §2.4.16: some devices take only permanent mappings; ours are then deleted at stop.
                lease = 0;
                continue;
            }

            if (result.ErrorCode == ConflictInMappingEntry && attempt < 3)
            {
                // Another host holds this external port.
                if (Service.Version >= 2)
                {
                    var any = await InvokeAsync("AddAnyPortMapping", MappingArguments(transport, external, internalPort, lease), cancellationToken).ConfigureAwait(false);
                    Check(any, "AddAnyPortMapping");
                    if (!int.TryParse(any.Arguments.GetValueOrDefault("NewReservedPort"), NumberStyles.None, CultureInfo.InvariantCulture, out external) || external is < 1 or > 65535)
                    {
                        throw new NatProtocolException("UPnP: AddAnyPortMapping returned no NewReservedPort");
                    }

                    break;
                }

                external = 1024 + _random.NextInt32(65536 - 1024);
                continue;
            }

            Check(result, "AddPortMapping");
        }

        var address = await ExternalAddressAsync(cancellationToken).ConfigureAwait(false);
        return new PortMapping(NatProtocol.Upnp, transport, address, internalPort, external, TimeSpan.FromSeconds(lease), _time.GetUtcNow());
    }

    public async Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken)
    {
        var result = await InvokeAsync(
            "DeletePortMapping",
            [new("NewRemoteHost", string.Empty), new("NewExternalPort", Text(mapping.ExternalPort)), new("NewProtocol", ProtocolName(mapping.Transport))],
            cancellationToken).ConfigureAwait(false);
        if (result.ErrorCode != NoSuchEntryInArray)
        {
            Check(result, "DeletePortMapping");
        }
    }

    /// <summary>GetSpecificPortMappingEntry: the mapping of this external port, or null when there is none (714).</summary>
    public async Task<UpnpPortMappingEntry?> GetSpecificPortMappingEntryAsync(MappedTransport transport, int externalPort, CancellationToken cancellationToken)
    {
        var result = await InvokeAsync(
            "GetSpecificPortMappingEntry",
            [new("NewRemoteHost", string.Empty), new("NewExternalPort", Text(externalPort)), new("NewProtocol", ProtocolName(transport))],
            cancellationToken).ConfigureAwait(false);
        if (result.ErrorCode == NoSuchEntryInArray)
        {
            return null;
        }

        Check(result, "GetSpecificPortMappingEntry");
        int Number(string name) => int.TryParse(result.Arguments.GetValueOrDefault(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
        return new UpnpPortMappingEntry(
            result.Arguments.GetValueOrDefault("NewInternalClient") ?? string.Empty,
            Number("NewInternalPort"),
            result.Arguments.GetValueOrDefault("NewEnabled") is "1" or "true" or "yes",
            result.Arguments.GetValueOrDefault("NewPortMappingDescription") ?? string.Empty,
            Number("NewLeaseDuration"));
    }

    private List<KeyValuePair<string, string>> MappingArguments(MappedTransport transport, int external, int internalPort, int lease) =>
    [
        // IGD v1 §2.4.16 / v2 §2.5.16: in this order.
        new("NewRemoteHost", string.Empty),
        new("NewExternalPort", Text(external)),
        new("NewProtocol", ProtocolName(transport)),
        new("NewInternalPort", Text(internalPort)),
        new("NewInternalClient", _localAddress.ToString()),
        new("NewEnabled", "1"),
        new("NewPortMappingDescription", MappingDescription),
        new("NewLeaseDuration", Text(lease)),
    ];

    private async Task<SoapResult> InvokeAsync(string action, IReadOnlyList<KeyValuePair<string, string>> arguments, CancellationToken cancellationToken)
    {
        var control = Service.ControlUrl;
        var body = SoapCodec.BuildRequest(Service.ServiceType, action, arguments);
        var request = HttpCodec.BuildRequest(
            "POST",
            control,
            [new("Content-Type", "text/xml; charset=\"utf-8\""), new("SOAPAction", SoapCodec.SoapAction(Service.ServiceType, action)), new("User-Agent", "Linux UPnP/1.1 epost-edge/1")],
            body);
        var response = await WithTimeoutAsync(_time, control, ct => _network.ExchangeHttpAsync(control.EndPoint, request, MaxControlBytes, ct), cancellationToken).ConfigureAwait(false);
        if (!SoapCodec.TryParseResponse(response.StatusCode, response.BodyText, action, out var result, out var error))
        {
            throw new NatProtocolException($"UPnP: {error}");
        }

        return result!;
    }

    private static async Task<HttpResponse> WithTimeoutAsync(TimeProvider time, HttpUrl url, Func<CancellationToken, Task<HttpResponse>> exchange, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(HttpTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await exchange(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new NatNoServerException($"no HTTP answer from {url} within {HttpTimeout.TotalSeconds:0} s", e);
        }
    }

    private static void Check(SoapResult result, string action)
    {
        if (!result.Succeeded)
        {
            throw new NatRefusedException($"UPnP {action}: error {result.ErrorCode} {Untrusted.Quote(result.ErrorDescription)}", result.ErrorCode!.Value);
        }
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string ProtocolName(MappedTransport transport) => transport == MappedTransport.Udp ? "UDP" : "TCP";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
