using System.Net;

namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>One listening port and the protocol behind it.</summary>
/// <param name="Address">Where to bind (MailOptions.ListenAddress).</param>
/// <param name="Port">TCP port (0 binds an ephemeral port: tests).</param>
/// <param name="ImplicitTls">RFC 8314: the TLS handshake comes first (465-, 993-style).</param>
/// <param name="Handler">The protocol.</param>
/// <param name="Limit">The protocol's session limit, shared with its other ports.</param>
/// <param name="Setting">The setting that chose the port, for error messages ("Smtp:Port").</param>
public sealed record MailEndpoint(IPAddress Address, int Port, bool ImplicitTls, IMailSessionHandler Handler, SessionLimit Limit, string Setting);
