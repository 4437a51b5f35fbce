using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>
/// One SMTP flood session: connects (a 421 greeting is a refusal, counted), then sends messages
/// one after another, each with its own Message-ID; only a 250 to the end of DATA counts as
/// accepted (RFC 5321 §4.1.1.4), and a 452 to MAIL, RCPT or DATA as refused for lack of storage.
/// </summary>
internal sealed class LoadSmtpClient
{
    private readonly int _port;
    private readonly LoadCounters _counters;

    public LoadSmtpClient(int port, LoadCounters counters)
    {
        _port = port;
        _counters = counters;
    }

    /// <summary>Sends until <paramref name="stop"/>; <paramref name="next"/> gives each message's recipient, id and bytes.</summary>
    public async Task RunAsync(Func<(string To, string MessageId, byte[] Message)> next, int messagesPerConnection, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await OneConnectionAsync(next, messagesPerConnection, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                _counters.Add(ref _counters.ConnectionErrors);
                await Pause(stop, 200);
            }
        }
    }

    private async Task OneConnectionAsync(Func<(string To, string MessageId, byte[] Message)> next, int messages, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), stop);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var greeting = await ReplyAsync(reader, stop);
        if (greeting.Code == 421)
        {
            _counters.Add(ref _counters.Refused421);
            _counters.Note(greeting.Text);
            await Pause(stop, 200);
            return;
        }

        Expect(greeting, 220);
        Expect(await CommandAsync(stream, reader, "EHLO load.example.net", stop), 250);
        for (var i = 0; i < messages && !stop.IsCancellationRequested; i++)
        {
            var (to, messageId, message) = next();
            var mail = await CommandAsync(stream, reader, "MAIL FROM:<flood@load.example.net>", stop);
            if (mail.Code == 452)
            {
                _counters.Add(ref _counters.Refused452);
                _counters.Note(mail.Text);
                await Pause(stop, 100);
                continue;
            }

            Expect(mail, 250);
            var rcpt = await CommandAsync(stream, reader, $"RCPT TO:<{to}>", stop);
            if (rcpt.Code == 452)
            {
                _counters.Add(ref _counters.Refused452);
                Expect(await CommandAsync(stream, reader, "RSET", stop), 250);
                await Pause(stop, 100);
                continue;
            }

            Expect(rcpt, 250);
            Expect(await CommandAsync(stream, reader, "DATA", stop), 354);

            // Once DATA is under way it is finished whatever the stop says: a message cut off
            // mid-way would only count as not sent, but a finished one must be checked.
            await stream.WriteAsync(message, CancellationToken.None);
            await stream.WriteAsync(".\r\n"u8.ToArray(), CancellationToken.None);
            var done = await ReplyAsync(reader, CancellationToken.None);
            switch (done.Code)
            {
                case 250:
                    _counters.Accept(messageId);
                    break;
                case 452:
                    _counters.Add(ref _counters.Refused452);
                    _counters.Note(done.Text);
                    break;
                case 451:
                    // "Local error in processing" (RFC 5321 §4.2.3): the store failed; not stored, the sender retries.
                    _counters.Add(ref _counters.Failed451);
                    _counters.Note(done.Text);
                    break;
                default:
                    _counters.Add(ref _counters.OtherFailures);
                    _counters.Note(done.Text);
                    break;
            }
        }

        try
        {
            await CommandAsync(stream, reader, "QUIT", CancellationToken.None);
        }
        catch (IOException)
        {
            // The server may close first.
        }
    }

    private static async Task<(int Code, string Text)> CommandAsync(NetworkStream stream, StreamReader reader, string command, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), ct);
        return await ReplyAsync(reader, ct);
    }

    private static async Task<(int Code, string Text)> ReplyAsync(StreamReader reader, CancellationToken ct)
    {
        var text = new StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(ct) ?? throw new IOException("the server closed the connection");
            text.Append(line).Append(' ');
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code))
            {
                throw new IOException($"not an SMTP reply: '{line}'");
            }

            if (line.Length == 3 || line[3] == ' ')
            {
                return (code, text.ToString().TrimEnd());
            }
        }
    }

    private static void Expect((int Code, string Text) reply, int code)
    {
        if (reply.Code != code)
        {
            throw new IOException($"expected {code}, got {reply.Text}");
        }
    }

    private static async Task Pause(CancellationToken stop, int milliseconds)
    {
        try
        {
            await Task.Delay(milliseconds, stop);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
