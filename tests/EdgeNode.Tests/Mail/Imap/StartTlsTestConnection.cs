using System.IO.Pipelines;
using System.Net;
using EPostEdge.EdgeNode.Mail.Net;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>An in-memory connection that can "start TLS": the upgrade only records itself and marks the connection secure.</summary>
internal sealed class StartTlsTestConnection : IMailConnection
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public PipeReader Input => _toServer.Reader;

    public PipeWriter Output => _toClient.Writer;

    public bool IsSecure { get; private set; }

    public bool CanStartTls => !IsSecure;

    public int Upgrades { get; private set; }

    public EndPoint? RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 40001);

    public PipeWriter ClientOutput => _toServer.Writer;

    public PipeReader ClientInput => _toClient.Reader;

    public Task UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        IsSecure = true;
        Upgrades++;
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Reader.CompleteAsync();
        await _toClient.Writer.CompleteAsync();
    }
}
