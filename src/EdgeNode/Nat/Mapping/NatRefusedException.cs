namespace EPostEdge.EdgeNode.Nat.Mapping;

/// <summary>
/// A gateway answered with an error: a NAT-PMP or PCP result code, or a UPnPError. When
/// <see cref="UnsupportedVersion"/> is set the gateway speaks an older protocol (RFC 6887 §9:
/// a NAT-PMP server answers a PCP request with UNSUPP_VERSION), so the next protocol is worth trying.
/// </summary>
internal sealed class NatRefusedException : Exception
{
    public NatRefusedException()
    {
    }

    public NatRefusedException(string message)
        : base(message)
    {
    }

    public NatRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NatRefusedException(string message, int code, bool unsupportedVersion = false)
        : base(message)
    {
        Code = code;
        UnsupportedVersion = unsupportedVersion;
    }

    /// <summary>The result code or UPnP error code.</summary>
    public int Code { get; }

    /// <summary>The gateway does not speak this protocol version.</summary>
    public bool UnsupportedVersion { get; }
}
