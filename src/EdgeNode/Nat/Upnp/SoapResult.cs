namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>
/// The outcome of one UPnP action (UDA 1.1 §3.2.2): its out arguments, or the UPnPError the
/// device answered with (errorCode, errorDescription; IGD WANIPConnection §2.4 lists the codes).
/// </summary>
/// <param name="Arguments">Out arguments by name (empty on a fault).</param>
/// <param name="ErrorCode">The UPnPError code, or null on success.</param>
/// <param name="ErrorDescription">The device's description of the error.</param>
internal sealed record SoapResult(IReadOnlyDictionary<string, string> Arguments, int? ErrorCode, string? ErrorDescription)
{
    /// <summary>Whether the action succeeded.</summary>
    public bool Succeeded => ErrorCode is null;
}
