using System.IO.Pipelines;
using System.Net;
using EPostEdge.EdgeNode.Mail.Net;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>
/// Like <see cref="PipeConnection"/>, but TLS can be "started" (the upgrade only marks the connection
/// secure and records what plaintext was still buffered), and the server's flushes are counted so
/// tests can see that a pipelined batch of replies goes out in one write (RFC 2920 §3).
/// </summary>
internal sealed class ScriptedTlsConnection : IMailConnection
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly CountingWriter _output;

    public ScriptedTlsConnection(bool canStartTls = true)
    {
        CanStartTls = canStartTls;
        _output = new CountingWriter(_toClient.Writer);
    }

    public PipeReader Input => _toServer.Reader;

    public PipeWriter Output => _output;

    public bool IsSecure { get; private set; }

    public bool CanStartTls { get; private set; }

    public EndPoint? RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40000);

    public PipeWriter ClientOutput => _toServer.Writer;

    public PipeReader ClientInput => _toClient.Reader;

    public int Flushes => _output.Flushes;

    public int Upgrades { get; private set; }

    /// <summary>Completed by the upgrade; a test waits for it before it sends "after the handshake".</summary>
    public TaskCompletionSource Upgraded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Bytes the client had sent that the server had not consumed when it started TLS.</summary>
    public long UnconsumedAtUpgrade { get; private set; }

    public Task UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        // The session must have consumed (discarded) everything before the upgrade.
        if (_toServer.Reader.TryRead(out var result))
        {
            UnconsumedAtUpgrade = result.Buffer.Length;
            _toServer.Reader.AdvanceTo(result.Buffer.Start);
        }

        Upgrades++;
        IsSecure = true;
        CanStartTls = false;
        Upgraded.TrySetResult();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Reader.CompleteAsync();
        await _toClient.Writer.CompleteAsync();
    }

    private sealed class CountingWriter(PipeWriter inner) : PipeWriter
    {
        public int Flushes { get; private set; }

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Flushes++;
            return inner.FlushAsync(cancellationToken);
        }
    }
}
