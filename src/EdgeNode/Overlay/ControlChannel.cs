using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// DATA/run/control.sock while the overlay runs: a Unix domain socket (mode 0600: only the node's
/// user) through which <c>epost-edge store put|get</c> and tests put objects into the distributed
/// store and read them back (<see cref="ControlProtocol"/>). Like DATA/node.lock it is a real OS
/// object, opened here and not through the disk seam.
/// </summary>
/// <remarks>
/// Registered after <see cref="OverlayService"/>, so the host stops it first: no request is
/// in flight when the storage service goes away.
/// </remarks>
internal sealed partial class ControlChannel(
    NodeSettings settings,
    OverlayService overlay,
    IFileSystem fileSystem,
    ILogger<ControlChannel> logger) : IHostedService, IAsyncDisposable
{
    public const string FileName = "control.sock";

    /// <summary>Requests of one connection being answered at once (the rest wait in the socket).</summary>
    private const int MaxInFlight = 32;

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Socket? _listener;
    private Task? _accepting;

    /// <summary>The socket's path for a data folder.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, "run", FileName);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(PathIn(settings.DataDirectory));
        fileSystem.CreateDirectory(Path.GetDirectoryName(path)!);

        // A socket file left by a node that was killed: this process holds node.lock, so no other node uses it.
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(16);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            // ArgumentException: the path is longer than sockaddr_un allows (108 bytes). The node
            // runs on without it; only the store commands need it.
            listener.Dispose();
            LogUnavailable(path, ex.Message);
            return Task.CompletedTask;
        }

        _listener = listener;
        _accepting = AcceptAsync(listener, _stopping.Token);
        LogListening(path);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not { } listener)
        {
            return;
        }

        _listener = null;
        await _stopping.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        if (_accepting is { } accepting)
        {
            await accepting.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        File.Delete(Path.GetFullPath(PathIn(settings.DataDirectory)));
        _stopping.Dispose();
    }

    private async Task AcceptAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var served = ServeAsync(connection, stopping);
            lock (_connections)
            {
                _connections.RemoveAll(c => c.IsCompleted);
                _connections.Add(served);
            }
        }
    }

    /// <summary>One client: lines in, answers out in the same order, up to <see cref="MaxInFlight"/> requests at once.</summary>
    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var cancel = connection.Token;
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using (stream.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            var answers = Channel.CreateBounded<Task<string>>(MaxInFlight);
            var writing = WriteAnswersAsync(answers.Reader, stream, connection);
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync(cancel).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    while (ControlProtocol.TryReadLine(ref buffer, out var line))
                    {
                        await answers.Writer.WriteAsync(AnswerAsync(ControlProtocol.ParseRequest(line)), cancel).ConfigureAwait(false);
                    }

                    if (buffer.Length > ControlProtocol.MaxLineBytes)
                    {
                        await answers.Writer.WriteAsync(Task.FromResult(ControlProtocol.ErrorAnswer("line too long")), cancel).ConfigureAwait(false);
                        break;
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
                // The client went away or the node stops.
            }
            finally
            {
                answers.Writer.TryComplete();
                await writing.ConfigureAwait(false);
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteAnswersAsync(ChannelReader<Task<string>> answers, Stream stream, CancellationTokenSource connection)
    {
        try
        {
            await foreach (var answer in answers.ReadAllAsync(connection.Token).ConfigureAwait(false))
            {
                var line = Encoding.ASCII.GetBytes(await answer.ConfigureAwait(false) + "\n");
                await stream.WriteAsync(line, connection.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            // The client closed its end: stop reading its requests too.
            await connection.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<string> AnswerAsync(ControlRequest request)
    {
        if (request.Verb == ControlVerb.Invalid)
        {
            return ControlProtocol.ErrorAnswer(request.Error ?? "invalid request");
        }

        if (overlay.Store is not { } store)
        {
            return ControlProtocol.ErrorAnswer("the distributed store is not running");
        }

        try
        {
            return request.Verb == ControlVerb.Put
                ? ControlProtocol.PutAnswer(await OffNodeThread(store.Past.InsertAsync(request.Content)).ConfigureAwait(false))
                : ControlProtocol.GetAnswer(await OffNodeThread(store.Past.ReadAsync(request.Key)).ConfigureAwait(false));
        }
        catch (QuotaExceededException ex)
        {
            return ControlProtocol.ErrorAnswer(ex.Message);
        }
#pragma warning disable CA1031 // a failed request is answered; the channel and the node go on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(request.Verb.ToString(), ex);
            return ControlProtocol.ErrorAnswer($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// The service completes its tasks on the node's thread, under its lock, and an await would
    /// go on there: formatting and socket writes must not hold the overlay up.
    /// </summary>
    private static async Task<T> OffNodeThread<T>(Task<T> task)
    {
        var result = await task.ConfigureAwait(false);
        await Task.Yield();
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "control channel: listening on {Path}")]
    private partial void LogListening(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control channel: cannot listen on {Path} ({Reason}); epost-edge store will not reach this node")]
    private partial void LogUnavailable(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control channel: {Verb} failed")]
    private partial void LogFailed(string verb, Exception exception);
}
