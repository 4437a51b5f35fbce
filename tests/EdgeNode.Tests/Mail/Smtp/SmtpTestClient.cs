using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Mail.Smtp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>
/// The client side of a scripted SMTP conversation (MailKit's style): send bytes, expect the exact
/// bytes of the server's replies. Time is a <see cref="FakeTimeProvider"/>, so timeouts only fire
/// when the test advances it.
/// </summary>
internal sealed class SmtpTestClient : IAsyncDisposable
{
    public const string Host = "mx.home.example";
    public const string Greeting = "220 mx.home.example ESMTP\r\n";

    /// <summary>The id prefix of the first session: FakeTimeProvider starts at 2000-01-01 (946684800000 ms).</summary>
    public const string FirstSessionId = "dc6acfac00.1";

    // A hang guard only (a broken server must fail the test, not stall it); nothing is timed.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly IAsyncDisposable _connection;
    private readonly PipeWriter _toServer;
    private readonly PipeReader _fromServer;
    private readonly CancellationTokenSource _shutdown = new();

    private SmtpTestClient(IMailConnection connection, PipeWriter toServer, PipeReader fromServer, SmtpTestStore store, SmtpOptions options, SmtpPortKind kind, IAdmissionGate? gate, MessageMemory? memory)
    {
        _connection = connection;
        _toServer = toServer;
        _fromServer = fromServer;
        Store = store;
        Options = options;
        Server = new SmtpServer(store, options, kind, Time, NullLogger<SmtpServer>.Instance, gate, memory);
        Session = Server.RunSessionAsync(connection, _shutdown.Token);
    }

    public CountingTimeProvider Time { get; } = new();

    public SmtpTestStore Store { get; }

    public SmtpOptions Options { get; }

    public SmtpServer Server { get; }

    public Task Session { get; }

    public static SmtpOptions DefaultOptions() => new() { HostName = Host, MaxMessageBytes = 1_000_000 };

    public static Task<SmtpTestStore> DefaultStore() => SmtpTestStore.OpenAsync();

    /// <summary>Starts a session over a <see cref="PipeConnection"/> and reads the greeting.</summary>
    public static Task<SmtpTestClient> StartAsync(
        SmtpPortKind kind = SmtpPortKind.Receiving,
        bool secure = false,
        Action<SmtpOptions>? configure = null,
        SmtpTestStore? store = null,
        IAdmissionGate? gate = null,
        MessageMemory? memory = null)
    {
        var connection = new PipeConnection(secure);
        return StartAsync(connection, connection.ClientOutput, connection.ClientInput, kind, configure, store, gate, memory);
    }

    public static async Task<SmtpTestClient> StartAsync(
        IMailConnection connection,
        PipeWriter toServer,
        PipeReader fromServer,
        SmtpPortKind kind = SmtpPortKind.Receiving,
        Action<SmtpOptions>? configure = null,
        SmtpTestStore? store = null,
        IAdmissionGate? gate = null,
        MessageMemory? memory = null)
    {
        var options = DefaultOptions();
        configure?.Invoke(options);
        var client = new SmtpTestClient(connection, toServer, fromServer, store ?? await DefaultStore(), options, kind, gate, memory);
        await client.ExpectAsync(Greeting);
        return client;
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _toServer.WriteAsync(bytes).AsTask().WaitAsync(Guard);

    /// <summary>Reads exactly as many bytes as <paramref name="expected"/> has and compares them.</summary>
    public async Task ExpectAsync(string expected)
    {
        var want = Encoding.UTF8.GetByteCount(expected);
        var got = await ReadAsync(want);
        Assert.Equal(expected, got);
    }

    public async Task ExchangeAsync(string send, string expect)
    {
        await SendAsync(send);
        await ExpectAsync(expect);
    }

    /// <summary>Reads <paramref name="count"/> bytes, or fewer if the server closes first.</summary>
    public async Task<string> ReadAsync(int count)
    {
        while (true)
        {
            var result = await _fromServer.ReadAsync().AsTask().WaitAsync(Guard);
            var buffer = result.Buffer;
            if (buffer.Length >= count || result.IsCompleted)
            {
                var take = buffer.Slice(0, Math.Min(count, buffer.Length));
                var text = Encoding.UTF8.GetString(take);
                _fromServer.AdvanceTo(take.End);
                return text;
            }

            _fromServer.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>True when the server has written (flushed) bytes the test has not read.</summary>
    public bool HasUnreadReply()
    {
        if (!_fromServer.TryRead(out var result))
        {
            return false;
        }

        _fromServer.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        return result.Buffer.Length > 0;
    }

    /// <summary>Waits for the session to end, then checks that nothing more was written.</summary>
    public async Task ExpectEndAsync()
    {
        await Session.WaitAsync(Guard);
        await _connection.DisposeAsync();
        var rest = await ReadAsync(int.MaxValue);
        Assert.Equal(string.Empty, rest);
    }

    public void Shutdown() => _shutdown.Cancel();

    /// <summary>The client closes its sending side (end of stream).</summary>
    public async Task EndInputAsync() => await _toServer.CompleteAsync();

    public async ValueTask DisposeAsync()
    {
        _shutdown.Cancel();
        await _toServer.CompleteAsync();
        await Session.WaitAsync(Guard);
        await _connection.DisposeAsync();
        _shutdown.Dispose();
        await Store.DisposeAsync();
    }
}
