using System.Buffers;
using System.IO.Pipelines;
using EPostEdge.EdgeNode.Mail.Net;
using System.Text;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Imap;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>
/// Drives a real <see cref="ImapServer"/> session over a <see cref="PipeConnection"/> (MailKit's
/// scripted style): send a command, read the server's bytes up to the tagged response. The server
/// runs on the real <see cref="MailStore"/> (an <see cref="ImapTestStore"/>) and the real
/// <see cref="MessageRenderer"/>.
/// </summary>
internal sealed class ImapTestClient : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20); // a hung test fails instead of hanging

    private readonly List<byte> _pending = [];
    private readonly CancellationTokenSource _stop = new();

    private readonly IMailConnection _server;
    private readonly PipeReader _clientInput;
    private readonly PipeWriter _clientOutput;

    private ImapTestClient(ImapTestStore store, IMailConnection server, PipeReader clientInput, PipeWriter clientOutput, bool implicitTls, ImapOptions options, FakeTimeProvider time)
    {
        Store = store.Hold();
        Time = time;
        _server = server;
        _clientInput = clientInput;
        _clientOutput = clientOutput;
        var imap = new ImapServer(store.Mail, options, new MessageRenderer(), implicitTls, time, NullLogger<ImapServer>.Instance);
        Session = Task.Run(() => imap.RunSessionAsync(server, _stop.Token));
    }

    public ImapTestStore Store { get; }

    public FakeTimeProvider Time { get; }

    public PipeConnection Connection => (PipeConnection)_server;

    public Task Session { get; }

    public string Greeting { get; private set; } = string.Empty;

    /// <param name="greet">False leaves the greeting unread (a real client such as MailKit reads it).</param>
    public static async Task<ImapTestClient> StartAsync(ImapTestStore? store = null, bool secure = true, ImapOptions? options = null, bool greet = true)
    {
        store ??= await ImapTestStore.OpenAsync();
        var connection = new PipeConnection(secure);
        var client = new ImapTestClient(store, connection, connection.ClientInput, connection.ClientOutput, secure, options ?? new ImapOptions(), store.Time);
        if (greet)
        {
            client.Greeting = await client.ReadLineAsync();
        }

        return client;
    }

    /// <summary>Starts a session on a connection that can start TLS.</summary>
    public static async Task<ImapTestClient> StartTlsCapableAsync(StartTlsTestConnection connection)
    {
        var store = await ImapTestStore.OpenAsync();
        var client = new ImapTestClient(store, connection, connection.ClientInput, connection.ClientOutput, false, new ImapOptions(), store.Time);
        client.Greeting = await client.ReadLineAsync();
        return client;
    }

    /// <summary>Starts a session already logged in as alice (and optionally with a folder selected).</summary>
    public static async Task<ImapTestClient> LoggedInAsync(ImapTestStore? store = null, string? select = null)
    {
        var client = await StartAsync(store);
        await client.SendAsync("L1 LOGIN alice secret99");
        if (select is not null)
        {
            await client.SendAsync("S1 SELECT " + select);
        }

        return client;
    }

    /// <summary>Sends one command line and returns everything up to and including its tagged response.</summary>
    public async Task<string> SendAsync(string line)
    {
        await WriteAsync(line + "\r\n");
        var tag = line[..line.IndexOf(' ', StringComparison.Ordinal)];
        return await ReadUntilTaggedAsync(tag);
    }

    public async Task WriteAsync(string text)
    {
        await _clientOutput.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    public async Task<string> ReadUntilTaggedAsync(string tag)
    {
        var sb = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync();
            sb.Append(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal) || line.StartsWith("* BYE", StringComparison.Ordinal) && tag == "*")
            {
                return sb.ToString();
            }
        }
    }

    /// <summary>Reads one line (with CRLF); a literal announced at its end is read with it, and the line after.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(Guard);
        while (true)
        {
            var bytes = _pending.ToArray();
            var end = bytes.AsSpan().IndexOf("\r\n"u8);
            if (end >= 0)
            {
                var line = Encoding.UTF8.GetString(bytes, 0, end + 2);
                var literal = LiteralLength(line);
                if (literal < 0)
                {
                    _pending.RemoveRange(0, end + 2);
                    return line;
                }

                if (bytes.Length - end - 2 >= literal)
                {
                    var data = Encoding.UTF8.GetString(bytes, end + 2, literal);
                    _pending.RemoveRange(0, end + 2 + literal);
                    return line + data + await ReadLineAsync();
                }
            }

            var result = await _clientInput.ReadAsync(cts.Token);
            _pending.AddRange(result.Buffer.ToArray());
            _clientInput.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted && result.Buffer.IsEmpty)
            {
                return string.Empty;
            }
        }
    }

    /// <summary>True when the server has closed its side (the session ended).</summary>
    public async Task<bool> SessionEndsAsync()
    {
        var done = await Task.WhenAny(Session, Task.Delay(Guard));
        return done == Session;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _clientOutput.CompleteAsync();
        try
        {
            await Session.WaitAsync(Guard);
        }
        catch (OperationCanceledException)
        {
        }

        await _server.DisposeAsync();
        _stop.Dispose();
        await Store.DisposeAsync();
    }

    private static int LiteralLength(string line)
    {
        if (!line.EndsWith("}\r\n", StringComparison.Ordinal))
        {
            return -1;
        }

        var open = line.LastIndexOf('{');
        return open < 0 ? -1 : int.Parse(line[(open + 1)..^3].TrimEnd('+'), System.Globalization.CultureInfo.InvariantCulture);
    }
}
