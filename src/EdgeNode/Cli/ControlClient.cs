using System.Net.Sockets;
using System.Text;
using EPostEdge.EdgeNode.Overlay;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// The client end of DATA/run/control.sock (<see cref="ControlProtocol"/>): pipelined requests,
/// answers read in order while the rest are still being sent.
/// </summary>
internal sealed class ControlClient : IAsyncDisposable
{
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private ControlClient(Socket socket)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
    }

    /// <summary>Connects to the node running on <paramref name="dataDirectory"/>; null (with the reason) when none answers.</summary>
    public static async Task<(ControlClient? Client, string? Reason)> TryConnectAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(ControlChannel.PathIn(dataDirectory));
        if (!File.Exists(path))
        {
            return (null, $"no {path}: no node with an overlay runs on {Path.GetFullPath(dataDirectory)} (epost-edge run; the distributed store needs overlay create or join first)");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return (new ControlClient(socket), null);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            socket.Dispose();
            return (null, $"the node on {Path.GetFullPath(dataDirectory)} does not answer on {path}: {ex.Message}");
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> requests (request i made by <paramref name="request"/> as it
    /// is sent) and hands each answer to <paramref name="onAnswer"/> in order.
    /// </summary>
    /// <exception cref="IOException">The node closed the channel before answering everything.</exception>
    public async Task ExchangeAsync(int count, Func<int, string> request, Action<int, string> onAnswer, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = Task.Run(
            async () =>
            {
                try
                {
                    for (var i = 0; i < count; i++)
                    {
                        await _stream.WriteAsync(Encoding.ASCII.GetBytes(request(i) + "\n"), failed.Token).ConfigureAwait(false);
                    }
                }
                catch
                {
                    // Stop waiting for answers to requests that were never sent.
                    await failed.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            },
            CancellationToken.None);

        try
        {
            for (var i = 0; i < count; i++)
            {
                var line = await _reader.ReadLineAsync(failed.Token).ConfigureAwait(false)
                    ?? throw new IOException("the node closed the control channel (is it stopping?)");
                onAnswer(i, line);
            }
        }
        catch (OperationCanceledException) when (sending.IsFaulted)
        {
            // The sender's failure is the one to report.
        }

        await sending.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
