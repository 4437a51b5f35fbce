using System.IO.Pipelines;
using System.Net;

namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>
/// One client connection as a protocol session sees it: a duplex pipe that can be upgraded to
/// TLS in place (STARTTLS). The listener owns sockets and certificates; sessions own only bytes.
/// </summary>
public interface IMailConnection : IAsyncDisposable
{
    /// <summary>Bytes from the client. Replaced by <see cref="UpgradeToTlsAsync"/>.</summary>
    PipeReader Input { get; }

    /// <summary>Bytes to the client. Replaced by <see cref="UpgradeToTlsAsync"/>.</summary>
    PipeWriter Output { get; }

    /// <summary>TLS is in force (implicit TLS port, or after STARTTLS).</summary>
    bool IsSecure { get; }

    /// <summary>TLS can be started on this connection (a certificate is configured and it is not secure yet).</summary>
    bool CanStartTls { get; }

    /// <summary>The client's address (for Received: lines and logs).</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// RFC 3207 §4 / RFC 9051 §6.2.1: call after the "go ahead" reply was flushed. Any plaintext the
    /// client sent after the command is discarded (command injection defence), the TLS handshake
    /// runs, and <see cref="Input"/> and <see cref="Output"/> then carry the encrypted stream.
    /// </summary>
    Task UpgradeToTlsAsync(CancellationToken cancellationToken);
}
