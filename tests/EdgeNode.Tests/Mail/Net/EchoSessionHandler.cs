using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using EPostEdge.EdgeNode.Mail.Net;

namespace EPostEdge.EdgeNode.Tests.Mail.Net;

/// <summary>
/// A line protocol for listener tests: greets with "HELLO plain|tls", echoes lines, "STARTTLS"
/// answers "GO" then upgrades and says "TLS", "QUIT" says "BYE". Refusals say "BUSY reason";
/// shutdown says "SHUTDOWN".
/// </summary>
internal sealed class EchoSessionHandler : IMailSessionHandler
{
    /// <summary>Every line the sessions received, in order.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>When set, STARTTLS signals <see cref="StartTlsSeen"/> and waits for this before answering.</summary>
    public TaskCompletionSource? StartTlsGate { get; set; }

    public TaskCompletionSource StartTlsSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "echo";

    public async Task RunSessionAsync(IMailConnection connection, CancellationToken cancellationToken)
    {
        await WriteAsync(connection.Output, connection.IsSecure ? "HELLO tls" : "HELLO plain", CancellationToken.None);
        try
        {
            while (true)
            {
                var line = await ReadLineAsync(connection.Input, cancellationToken);
                if (line is null)
                {
                    return;
                }

                Received.Enqueue(line);
                switch (line)
                {
                    case "QUIT":
                        await WriteAsync(connection.Output, "BYE", cancellationToken);
                        return;
                    case "STARTTLS":
                        StartTlsSeen.TrySetResult();
                        if (StartTlsGate is { } gate)
                        {
                            await gate.Task;
                        }

                        await WriteAsync(connection.Output, "GO", cancellationToken);
                        await connection.UpgradeToTlsAsync(cancellationToken);
                        await WriteAsync(connection.Output, "TLS", cancellationToken);
                        break;
                    default:
                        await WriteAsync(connection.Output, "ECHO " + line, cancellationToken);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await WriteAsync(connection.Output, "SHUTDOWN", CancellationToken.None);
        }
    }

    public Task RefuseAsync(IMailConnection connection, string reason, CancellationToken cancellationToken) =>
        WriteAsync(connection.Output, "BUSY " + reason, cancellationToken);

    private static async Task WriteAsync(PipeWriter output, string line, CancellationToken cancellationToken)
    {
        output.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
        await output.FlushAsync(cancellationToken);
    }

    private static async Task<string?> ReadLineAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is { } position)
            {
                var line = Encoding.ASCII.GetString(buffer.Slice(0, position).ToArray()).TrimEnd('\r');
                input.AdvanceTo(buffer.GetPosition(1, position));
                return line;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }
}
