using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>
/// The node's mail ports: binds each endpoint, accepts connections, does implicit TLS where the
/// port says so, counts sessions per protocol and hands each connection to its protocol. On
/// shutdown it stops accepting, cancels the sessions (they say 421 / BYE) and waits briefly.
/// </summary>
public sealed partial class MailListener(
    Func<IReadOnlyList<MailEndpoint>> endpoints,
    X509Certificate2? certificate,
    TimeProvider time,
    ILogger<MailListener> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>A client that does not finish the TLS handshake in this time is dropped.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long shutdown waits for sessions to say goodbye.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _sessions = new();
    private readonly ConcurrentDictionary<SocketMailConnection, byte> _connections = new();
    private readonly List<(MailEndpoint Endpoint, Socket Socket)> _bound = [];
    private readonly List<Task> _acceptLoops = [];

    /// <summary>The bound endpoints with their actual ports (an endpoint asked for port 0 gets one here).</summary>
    public IReadOnlyList<MailEndpoint> Listening { get; private set; } = [];

    /// <summary>Binds every endpoint (all or none) and starts accepting.</summary>
    /// <exception cref="PortInUseException">A port is taken (message names the setting to change).</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listening = new List<MailEndpoint>();
        try
        {
            foreach (var endpoint in endpoints())
            {
                var socket = Bind(endpoint);
                var actual = endpoint with { Port = ((IPEndPoint)socket.LocalEndPoint!).Port };
                _bound.Add((actual, socket));
                listening.Add(actual);
            }
        }
        catch
        {
            foreach (var (_, socket) in _bound)
            {
                socket.Dispose();
            }

            _bound.Clear();
            throw;
        }

        Listening = listening;
        foreach (var (endpoint, socket) in _bound)
        {
            LogListening(endpoint.Handler.Name, endpoint.Address.ToString(), endpoint.Port, endpoint.ImplicitTls ? " (implicit TLS)" : string.Empty);
            _acceptLoops.Add(AcceptLoopAsync(endpoint, socket, _stopping.Token));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var (_, socket) in _bound)
        {
            socket.Dispose(); // ends AcceptAsync
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        var sessions = _sessions.Keys.ToArray();
        try
        {
            await Task.WhenAll(sessions).WaitAsync(ShutdownGrace, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Sessions that ignored cancellation (a client not reading our 421/BYE) are cut off.
            LogSlowShutdown(sessions.Count(s => !s.IsCompleted));
            foreach (var connection in _connections.Keys)
            {
                await DisposeQuietlyAsync(connection).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout: leave the rest to process exit.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private static Socket Bind(MailEndpoint endpoint)
    {
        var socket = new Socket(endpoint.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true; // "::" serves IPv4 clients too
            }

            socket.Bind(new IPEndPoint(endpoint.Address, endpoint.Port));
            socket.Listen(512);
            return socket;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            socket.Dispose();
            throw PortInUseException.For(endpoint, ex.SocketErrorCode == SocketError.AccessDenied, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(MailEndpoint endpoint, Socket listener, CancellationToken stopping)
    {
        await Task.Yield();
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // EMFILE and friends: keep serving the connections we have.
                LogAcceptFailed(endpoint.Handler.Name, ex.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            client.NoDelay = true;
            var session = RunConnectionAsync(endpoint, client, stopping);
            _sessions.TryAdd(session, 0);
            _ = session.ContinueWith(t => _sessions.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(MailEndpoint endpoint, Socket client, CancellationToken stopping)
    {
        await Task.Yield();
        var admitted = endpoint.Limit.TryEnter(out var refusal);
        SocketMailConnection? connection = null;
        try
        {
            try
            {
                connection = await SocketMailConnection.AcceptAsync(client, certificate, endpoint.ImplicitTls, time, HandshakeTimeout, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
            {
                LogHandshakeFailed(endpoint.Handler.Name, client.RemoteEndPoint?.ToString() ?? "?", ex.Message);
                client.Dispose();
                return;
            }

            _connections.TryAdd(connection, 0);
            if (!admitted)
            {
                LogRefused(endpoint.Handler.Name, refusal);
                await endpoint.Handler.RefuseAsync(connection, refusal, stopping).ConfigureAwait(false);
                return;
            }

            await endpoint.Handler.RunSessionAsync(connection, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the node is stopping: the session is over either way.
        }
#pragma warning disable CA1031 // One broken session must never take the listener down; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSessionFailed(ex, endpoint.Handler.Name);
        }
        finally
        {
            if (connection is not null)
            {
                _connections.TryRemove(connection, out _);
                await DisposeQuietlyAsync(connection).ConfigureAwait(false);
            }

            if (admitted)
            {
                endpoint.Limit.Exit();
            }
        }
    }

    private static async Task DisposeQuietlyAsync(SocketMailConnection connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Closing a connection the peer already reset.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Protocol} listening on {Address} port {Port}{Tls}")]
    private partial void LogListening(string protocol, string address, int port, string tls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Protocol}: accept failed ({Error})")]
    private partial void LogAcceptFailed(string protocol, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Protocol}: TLS handshake with {Client} failed: {Reason}")]
    private partial void LogHandshakeFailed(string protocol, string client, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Protocol}: refused a connection: {Reason}")]
    private partial void LogRefused(string protocol, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Protocol}: session failed")]
    private partial void LogSessionFailed(Exception exception, string protocol);

    [LoggerMessage(Level = LogLevel.Warning, Message = "shutdown: {Count} mail sessions did not end in time")]
    private partial void LogSlowShutdown(int count);
}
