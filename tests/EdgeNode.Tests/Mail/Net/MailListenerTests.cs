using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.Overlay.Seams;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Net;

/// <summary>The listener and <see cref="SocketMailConnection"/> on real loopback sockets.</summary>
public sealed class MailListenerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<X509Certificate2> Certificate = new(() =>
    {
        var (certificate, key) = TlsCertificate.CreateSelfSigned("node.home.lan", new SeededRandomSource(1), TimeProvider.System);
        return X509Certificate2.CreateFromPem(certificate, key);
    });

    [Fact]
    public async Task A_plaintext_session_greets_and_echoes()
    {
        var handler = new EchoSessionHandler();
        await using var listener = await StartAsync(handler, implicitTls: false);
        using var client = await ConnectAsync(listener);
        var stream = client.GetStream();
        Assert.Equal("HELLO plain", await ReadLineAsync(stream));
        await WriteAsync(stream, "ping\r\n");
        Assert.Equal("ECHO ping", await ReadLineAsync(stream));
        await WriteAsync(stream, "QUIT\r\n");
        Assert.Equal("BYE", await ReadLineAsync(stream));
        Assert.Null(await ReadLineAsync(stream)); // the listener closed the connection
    }

    [Fact]
    public async Task An_implicit_TLS_port_handshakes_before_the_greeting()
    {
        var handler = new EchoSessionHandler();
        await using var listener = await StartAsync(handler, implicitTls: true);
        using var client = await ConnectAsync(listener);
        await using var tls = await ClientTlsAsync(client.GetStream());
        Assert.Equal("HELLO tls", await ReadLineAsync(tls));
        Assert.True(tls.IsAuthenticated);
        Assert.Contains(tls.SslProtocol, new[] { System.Security.Authentication.SslProtocols.Tls12, System.Security.Authentication.SslProtocols.Tls13 });
        await WriteAsync(tls, "secret\r\n");
        Assert.Equal("ECHO secret", await ReadLineAsync(tls));
    }

    [Fact]
    public async Task STARTTLS_drops_plaintext_pipelined_behind_the_command()
    {
        var handler = new EchoSessionHandler();
        await using var listener = await StartAsync(handler, implicitTls: false);
        using var client = await ConnectAsync(listener);
        var stream = client.GetStream();
        Assert.Equal("HELLO plain", await ReadLineAsync(stream));

        // One write: the injected command rides in the same segment as STARTTLS (CVE-2011-0411).
        await WriteAsync(stream, "STARTTLS\r\nINJECTED\r\n");
        Assert.Equal("GO", await ReadLineAsync(stream));
        await using var tls = await ClientTlsAsync(stream);
        Assert.Equal("TLS", await ReadLineAsync(tls));
        await WriteAsync(tls, "after\r\n");
        Assert.Equal("ECHO after", await ReadLineAsync(tls));
        Assert.Equal(["STARTTLS", "after"], handler.Received.ToArray());
    }

    [Fact]
    public async Task STARTTLS_drops_plaintext_that_is_still_in_the_socket()
    {
        var handler = new EchoSessionHandler { StartTlsGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var listener = await StartAsync(handler, implicitTls: false);
        using var client = await ConnectAsync(listener);
        var stream = client.GetStream();
        Assert.Equal("HELLO plain", await ReadLineAsync(stream));

        // The session has read STARTTLS alone; the injected lines arrive in the kernel buffer
        // before the reply, behind the pipe's back.
        await WriteAsync(stream, "STARTTLS\r\n");
        await handler.StartTlsSeen.Task.WaitAsync(Timeout);
        await WriteAsync(stream, "INJECTED ONE\r\nINJECTED TWO\r\n");
        await Task.Delay(200); // loopback delivery; not a timing assertion
        handler.StartTlsGate.SetResult();

        Assert.Equal("GO", await ReadLineAsync(stream));
        await using var tls = await ClientTlsAsync(stream);
        Assert.Equal("TLS", await ReadLineAsync(tls));
        await WriteAsync(tls, "after\r\n");
        Assert.Equal("ECHO after", await ReadLineAsync(tls));
        Assert.Equal(["STARTTLS", "after"], handler.Received.ToArray());
    }

    [Fact]
    public async Task Sessions_over_the_limit_are_refused_by_the_handler_and_closed()
    {
        var handler = new EchoSessionHandler();
        await using var listener = await StartAsync(handler, implicitTls: false, maxSessions: 1);
        using var first = await ConnectAsync(listener);
        Assert.Equal("HELLO plain", await ReadLineAsync(first.GetStream()));

        using var second = await ConnectAsync(listener);
        Assert.Equal("BUSY too many sessions, try again later", await ReadLineAsync(second.GetStream()));
        Assert.Null(await ReadLineAsync(second.GetStream()));

        // The first session is untouched.
        await WriteAsync(first.GetStream(), "still\r\n");
        Assert.Equal("ECHO still", await ReadLineAsync(first.GetStream()));
    }

    [Fact]
    public async Task A_port_in_use_is_a_clear_error_naming_the_setting()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var port = ((IPEndPoint)occupant.LocalEndPoint!).Port;

        var endpoint = new MailEndpoint(IPAddress.Loopback, port, false, new EchoSessionHandler(), new SessionLimit(10), "Smtp:Port");
        await using var listener = new MailListener(() => [endpoint], Certificate.Value, TimeProvider.System, NullLogger<MailListener>.Instance);
        var error = await Assert.ThrowsAsync<PortInUseException>(() => listener.StartAsync(CancellationToken.None));
        Assert.Equal($"port {port} on 127.0.0.1 is in use (set Smtp:Port in DATA/epostedge.json or EPOSTEDGE_Smtp__Port)", error.Message);
    }

    [Fact]
    public async Task Stopping_cancels_sessions_so_they_can_say_goodbye()
    {
        var handler = new EchoSessionHandler();
        var listener = await StartAsync(handler, implicitTls: false);
        using var client = await ConnectAsync(listener);
        var stream = client.GetStream();
        Assert.Equal("HELLO plain", await ReadLineAsync(stream));

        await listener.StopAsync(CancellationToken.None);
        Assert.Equal("SHUTDOWN", await ReadLineAsync(stream));
        Assert.Null(await ReadLineAsync(stream));
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_never_starts_the_TLS_handshake_is_dropped_after_the_handshake_timeout()
    {
        var time = new FakeTimeProvider();
        var handler = new EchoSessionHandler();
        var endpoint = new MailEndpoint(IPAddress.Loopback, 0, true, handler, new SessionLimit(10), "Imap:ImplicitTlsPort");
        await using var listener = new MailListener(() => [endpoint], Certificate.Value, time, NullLogger<MailListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        using var client = await ConnectAsync(listener);

        // The server waits for a ClientHello that never comes; only the (fake) clock ends it. The
        // clock is pushed past the timeout until the server's timer exists and fires.
        var closed = ReadLineAsync(client.GetStream());
        using var cts = new CancellationTokenSource(Timeout);
        while (!closed.IsCompleted)
        {
            time.Advance(MailListener.HandshakeTimeout + TimeSpan.FromSeconds(1));
            await Task.WhenAny(closed, Task.Delay(50, cts.Token));
        }

        Assert.Null(await closed);
        Assert.Empty(handler.Received);
    }

    [Fact]
    public async Task An_IPv6_loopback_listener_accepts()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        var handler = new EchoSessionHandler();
        var endpoint = new MailEndpoint(IPAddress.IPv6Loopback, 0, false, handler, new SessionLimit(10), "Imap:Port");
        await using var listener = new MailListener(() => [endpoint], Certificate.Value, TimeProvider.System, NullLogger<MailListener>.Instance);
        try
        {
            await listener.StartAsync(CancellationToken.None);
        }
        catch (SocketException)
        {
            return; // no IPv6 on this machine's loopback
        }

        using var client = new TcpClient(AddressFamily.InterNetworkV6);
        await client.ConnectAsync(IPAddress.IPv6Loopback, listener.Listening[0].Port);
        Assert.Equal("HELLO plain", await ReadLineAsync(client.GetStream()));
    }

    private static async Task<MailListener> StartAsync(EchoSessionHandler handler, bool implicitTls, int maxSessions = 10)
    {
        var endpoint = new MailEndpoint(IPAddress.Loopback, 0, implicitTls, handler, new SessionLimit(maxSessions), "Smtp:Port");
        var listener = new MailListener(() => [endpoint], Certificate.Value, TimeProvider.System, NullLogger<MailListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        return listener;
    }

    private static async Task<TcpClient> ConnectAsync(MailListener listener)
    {
        var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, listener.Listening[0].Port);
        return client;
    }

    private static async Task<SslStream> ClientTlsAsync(Stream stream)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: true, (_, _, _, _) => true); // self-signed: accepted on purpose
        using var cts = new CancellationTokenSource(Timeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        return tls;
    }

    private static async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await stream.FlushAsync();
    }

    /// <summary>One line without its CRLF, read byte by byte so nothing past it is consumed (TLS starts right after); null at end of stream.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(one, cts.Token);
            }
            catch (IOException)
            {
                read = 0; // reset by the peer: the end of the stream
            }

            if (read == 0)
            {
                return line.Count == 0 ? null : Encoding.ASCII.GetString([.. line]);
            }

            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
            }

            line.Add(one[0]);
        }
    }
}
