using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// A bare SMTP client over a socket for load and power-cut tests: nothing between the test
/// and the bytes, so "DATA got 250" means exactly that the server wrote a 250 reply.
/// </summary>
internal sealed class RawSmtpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawSmtpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
    }

    /// <summary>Connects, reads the 220 greeting and sends EHLO.</summary>
    public static async Task<RawSmtpClient> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new RawSmtpClient(socket);
        try
        {
            Expect(await client.ReadReplyAsync(ct), 220, "greeting");
            Expect(await client.CommandAsync("EHLO load.example.net", ct), 250, "EHLO");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>One transaction; returns the reply to the end of DATA (RFC 5321 §4.1.1.4).</summary>
    public async Task<(int Code, string Text)> SendAsync(string from, string to, byte[] message, CancellationToken ct)
    {
        Expect(await CommandAsync($"MAIL FROM:<{from}>", ct), 250, "MAIL");
        Expect(await CommandAsync($"RCPT TO:<{to}>", ct), 250, "RCPT");
        Expect(await CommandAsync("DATA", ct), 354, "DATA");

        // The message has no line that starts with '.', so it needs no dot-stuffing.
        await _stream.WriteAsync(message, ct);
        await _stream.WriteAsync(".\r\n"u8.ToArray(), ct);
        return await ReadReplyAsync(ct);
    }

    public async Task<(int Code, string Text)> CommandAsync(string command, CancellationToken ct)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), ct);
        return await ReadReplyAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    /// <summary>A reply: lines "NNN-text" ending with "NNN text" (RFC 5321 §4.2.1).</summary>
    private async Task<(int Code, string Text)> ReadReplyAsync(CancellationToken ct)
    {
        var text = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct) ?? throw new IOException("the server closed the connection");
            text.AppendLine(line);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code))
            {
                throw new IOException($"not an SMTP reply: '{line}'");
            }

            if (line.Length == 3 || line[3] == ' ')
            {
                return (code, text.ToString());
            }
        }
    }

    private static void Expect((int Code, string Text) reply, int code, string what)
    {
        if (reply.Code != code)
        {
            throw new SmtpReplyException(reply.Code, $"{what}: expected {code}, got {reply.Text.TrimEnd()}");
        }
    }
}
