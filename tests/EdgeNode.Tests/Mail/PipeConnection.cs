using System.IO.Pipelines;
using System.Net;
using EPostEdge.EdgeNode.Mail.Net;

namespace EPostEdge.EdgeNode.Tests.Mail;

/// <summary>
/// An in-memory <see cref="IMailConnection"/> for scripted protocol tests (STYLE.md, MailKit's
/// way): the test writes client bytes into <see cref="ClientOutput"/> and reads server bytes from
/// <see cref="ClientInput"/>. TLS cannot be started on it.
/// </summary>
internal sealed class PipeConnection : IMailConnection
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public PipeConnection(bool isSecure = false)
    {
        IsSecure = isSecure;
    }

    public PipeReader Input => _toServer.Reader;

    public PipeWriter Output => _toClient.Writer;

    public bool IsSecure { get; }

    public bool CanStartTls => false;

    public EndPoint? RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 40000);

    /// <summary>The test's side: bytes to the server.</summary>
    public PipeWriter ClientOutput => _toServer.Writer;

    /// <summary>The test's side: bytes from the server.</summary>
    public PipeReader ClientInput => _toClient.Reader;

    public Task UpgradeToTlsAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("an in-memory connection has no TLS");

    public async ValueTask DisposeAsync()
    {
        await _toServer.Reader.CompleteAsync();
        await _toClient.Writer.CompleteAsync();
    }
}
