namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>A mail port cannot be bound (in use, or a privileged port without the right to bind it).</summary>
public sealed class PortInUseException : IOException
{
    public PortInUseException()
    {
    }

    public PortInUseException(string message)
        : base(message)
    {
    }

    public PortInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The user-facing message: which port, which setting moves it, and the environment variable.</summary>
    public static PortInUseException For(MailEndpoint endpoint, bool accessDenied, Exception inner)
    {
        var environment = "EPOSTEDGE_" + endpoint.Setting.Replace(":", "__", StringComparison.Ordinal);
        var what = accessDenied ? "cannot be bound (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : "is in use";
        return new PortInUseException(
            $"port {endpoint.Port} on {endpoint.Address} {what} (set {endpoint.Setting} in DATA/epostedge.json or {environment})", inner);
    }
}
