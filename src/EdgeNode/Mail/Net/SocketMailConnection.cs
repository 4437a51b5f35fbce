using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>
/// An accepted TCP connection as a mail session sees it: pipes over the socket's stream, or over
/// an <see cref="SslStream"/> on it once TLS is in force (implicit TLS, or STARTTLS).
/// </summary>
public sealed class SocketMailConnection : IMailConnection
{
    /// <summary>TLS record content type "handshake" (RFC 8446 §5.1): the first byte of a ClientHello.</summary>
    private const byte TlsHandshakeRecord = 0x16;

    private readonly Socket _socket;
    private readonly NetworkStream _raw;
    private readonly X509Certificate2? _certificate;
    private readonly TimeProvider _time;
    private readonly TimeSpan _handshakeTimeout;
    private SslStream? _tls;
    private int _disposed;

    private SocketMailConnection(Socket socket, X509Certificate2? certificate, TimeProvider time, TimeSpan handshakeTimeout)
    {
        _socket = socket;
        _raw = new NetworkStream(socket, ownsSocket: false);
        _certificate = certificate;
        _time = time;
        _handshakeTimeout = handshakeTimeout;
        RemoteEndPoint = socket.RemoteEndPoint;
        (Input, Output) = PipesOver(_raw);
    }

    public PipeReader Input { get; private set; }

    public PipeWriter Output { get; private set; }

    public bool IsSecure => _tls is not null;

    public bool CanStartTls => _certificate is not null && _tls is null;

    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Wraps an accepted socket; on an implicit-TLS port the handshake runs first (bounded by <paramref name="handshakeTimeout"/>).</summary>
    /// <exception cref="AuthenticationException">The handshake failed.</exception>
    /// <exception cref="OperationCanceledException">The handshake timed out, or shutdown.</exception>
    public static async Task<SocketMailConnection> AcceptAsync(
        Socket socket, X509Certificate2? certificate, bool implicitTls, TimeProvider time, TimeSpan handshakeTimeout, CancellationToken cancellationToken)
    {
        var connection = new SocketMailConnection(socket, certificate, time, handshakeTimeout);
        if (implicitTls)
        {
            try
            {
                await connection.UpgradeToTlsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return connection;
    }

    public async Task UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        if (_certificate is null || _tls is not null)
        {
            throw new InvalidOperationException(_tls is null ? "no TLS certificate is configured" : "TLS is already in force");
        }

        // The reply to STARTTLS was flushed by the session; what the plaintext reader buffered past
        // the command is dropped with it (completing a reader discards its buffer; leaveOpen keeps
        // the socket). RFC 3207 §4, RFC 9051 §6.2.1: nothing sent before the handshake may be
        // taken as a command after it (the 2011 STARTTLS command injection, CVE-2011-0411).
        await Output.CompleteAsync().ConfigureAwait(false);
        await Input.CompleteAsync().ConfigureAwait(false);
        DiscardPlaintextInFlight();

        var tls = new SslStream(_raw, leaveInnerStreamOpen: true);
        using var timeout = new CancellationTokenSource(_handshakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    ClientCertificateRequired = false,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                },
                linked.Token).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _tls = tls;
        (Input, Output) = PipesOver(tls);
    }

    /// <summary>
    /// Bytes already in the kernel's receive buffer that cannot be the client's TLS hello are
    /// plaintext sent after the command (pipelined past STARTTLS): they are read and dropped line
    /// by line up to the first TLS record. Whatever plaintext arrives later reaches the handshake,
    /// which fails on it, and the connection closes; it never reaches the session.
    /// </summary>
    private void DiscardPlaintextInFlight()
    {
        Span<byte> first = stackalloc byte[1];
        Span<byte> sink = stackalloc byte[1];
        while (_socket.Available > 0)
        {
            if (_socket.Receive(first, SocketFlags.Peek) != 1 || first[0] == TlsHandshakeRecord)
            {
                return;
            }

            // Up to and including the LF that ends the injected line; one byte at a time so that
            // a TLS hello right behind it stays in the socket.
            while (_socket.Available > 0 && _socket.Receive(sink) == 1 && sink[0] != (byte)'\n')
            {
            }
        }
    }

    private static (PipeReader Input, PipeWriter Output) PipesOver(Stream stream) => (
        PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)),
        PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await Output.CompleteAsync().ConfigureAwait(false); // flushes what the session left unflushed
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // The client is gone; nothing left to say.
        }

        if (_tls is not null)
        {
            await _tls.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }

        await _raw.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
