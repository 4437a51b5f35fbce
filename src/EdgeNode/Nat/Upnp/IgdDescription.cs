namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>
/// Reads an InternetGatewayDevice description (UDA 1.1 §2.3; IGD v1 and v2 device templates):
/// finds the WAN connection service that can map ports and its control URL.
/// </summary>
internal static class IgdDescription
{
    /// <summary>
    /// The best connection service in <paramref name="xml"/> (order of
    /// <see cref="SsdpCodec.ConnectionServiceTypes"/>), its controlURL resolved against URLBase
    /// (UDA 1.0; dropped in 1.1 but still sent by v1 devices) or else <paramref name="location"/>.
    /// </summary>
    public static bool TryFindConnectionService(string xml, Http.HttpUrl location, out IgdService? service, out string? error)
    {
        service = null;
        if (!UpnpXml.TryParse(xml, out var root, out error))
        {
            error = $"the device description is not XML: {error}";
            return false;
        }

        if (root!.LocalName != "root")
        {
            error = $"the device description's root element is <{Untrusted.Quote(root.Name)}>, not <root>";
            return false;
        }

        var baseUrl = location;
        if (root.ChildText("URLBase") is { Length: > 0 } urlBase && location.TryResolve(urlBase, out var declared, out _))
        {
            baseUrl = declared;
        }

        var services = root.Descendants("service").ToList();
        foreach (var wanted in SsdpCodec.ConnectionServiceTypes)
        {
            foreach (var candidate in services)
            {
                if (!string.Equals(candidate.ChildText("serviceType"), wanted, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!baseUrl.TryResolve(candidate.ChildText("controlURL"), out var control, out var why))
                {
                    error = $"{wanted}: bad controlURL: {why}";
                    continue;
                }

                if (!control.Host.Equals(location.Host))
                {
                    // Only the device that answered is spoken to: a description may not send our
                    // SOAP requests to another host.
                    error = $"{wanted}: the controlURL names another host ({control.Host}) than the description's ({location.Host})";
                    continue;
                }

                service = new IgdService(wanted, control);
                error = null;
                return true;
            }
        }

        error ??= $"no WAN connection service in the description ({services.Count} services, none of {string.Join(", ", SsdpCodec.ConnectionServiceTypes)})";
        return false;
    }
}
