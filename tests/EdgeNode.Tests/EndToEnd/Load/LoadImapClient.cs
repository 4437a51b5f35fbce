using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>
/// A bare IMAP client for the load tests: STARTTLS (RFC 9051 §6.2.1), then commands whose untagged
/// responses are collected up to the tagged one, literals included. Light enough that 200 of
/// them in the test process do not compete with the node for the CPU.
/// </summary>
internal sealed class LoadImapClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Stream _stream = Stream.Null;
    private int _start;
    private int _end;
    private int _tag;

    private LoadImapClient(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Connects and upgrades to TLS; returns the BYE line instead when the server refused the connection.</summary>
    public static async Task<(LoadImapClient? Client, string? Refusal)> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new LoadImapClient(socket);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            client._stream = new NetworkStream(socket, ownsSocket: false);
            var greeting = await client.ReadLineAsync(ct);
            if (greeting.StartsWith("* BYE", StringComparison.Ordinal))
            {
                await client.DisposeAsync();
                return (null, greeting);
            }

            if (!greeting.StartsWith("* OK", StringComparison.Ordinal))
            {
                throw new IOException($"not an IMAP greeting: {greeting}");
            }

            await client.CommandAsync("STARTTLS", ct);
            var tls = new SslStream(client._stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, _, _, _) => true }, ct);
            client._stream = tls;
            client._start = client._end = 0; // RFC 9051 §6.2.1: nothing may follow the OK in plaintext
            return (client, null);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one command and returns the untagged lines; throws unless the tagged answer is OK.</summary>
    public async Task<List<string>> CommandAsync(string command, CancellationToken ct)
    {
        var tag = "t" + (++_tag).ToString(CultureInfo.InvariantCulture);
        await _stream.WriteAsync(Encoding.UTF8.GetBytes($"{tag} {command}\r\n"), ct);
        await _stream.FlushAsync(ct);
        return await ReadTaggedAsync(tag, command, ct);
    }

    /// <summary>IDLE (RFC 2177) for <paramref name="period"/>, then DONE; returns the untagged lines seen.</summary>
    public async Task<List<string>> IdleAsync(TimeSpan period, CancellationToken ct)
    {
        var tag = "t" + (++_tag).ToString(CultureInfo.InvariantCulture);
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"{tag} IDLE\r\n"), ct);
        await _stream.FlushAsync(ct);
        var continuation = await ReadLineAsync(ct);
        if (!continuation.StartsWith('+'))
        {
            throw new IOException($"IDLE: expected a continuation, got {continuation}");
        }

        try
        {
            await Task.Delay(period, ct);
        }
        catch (OperationCanceledException)
        {
            // Stopping: still end the IDLE properly below, without the caller's token.
            ct = CancellationToken.None;
        }

        await _stream.WriteAsync("DONE\r\n"u8.ToArray(), ct);
        await _stream.FlushAsync(ct);
        return await ReadTaggedAsync(tag, "IDLE", ct);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (IOException)
        {
            // The peer is gone already.
        }

        _socket.Dispose();
    }

    private async Task<List<string>> ReadTaggedAsync(string tag, string command, CancellationToken ct)
    {
        var untagged = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                if (!line.AsSpan(tag.Length + 1).StartsWith("OK", StringComparison.Ordinal))
                {
                    throw new IOException($"{command}: {line}");
                }

                return untagged;
            }

            if (line.StartsWith("* BYE", StringComparison.Ordinal))
            {
                throw new IOException($"{command}: {line}");
            }

            untagged.Add(line);
        }
    }

    /// <summary>One response line; a literal ({n} at the end, RFC 9051 §4.3) and the rest of its line are appended.</summary>
    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var line = new StringBuilder();
        while (true)
        {
            var part = await ReadRawLineAsync(ct);
            line.Append(part);
            var open = part.LastIndexOf('{');
            if (open < 0 || !part.EndsWith('}') || !int.TryParse(part.AsSpan(open + 1, part.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return line.ToString();
            }

            line.Append("\r\n");
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    throw new IOException("the server closed the connection inside a literal");
                }

                var take = Math.Min(count, _end - _start);
                line.Append(Encoding.Latin1.GetString(_buffer, _start, take));
                _start += take;
                count -= take;
            }
        }
    }

    private async Task<string> ReadRawLineAsync(CancellationToken ct)
    {
        var line = new StringBuilder();
        while (true)
        {
            for (var i = _start; i < _end; i++)
            {
                if (_buffer[i] == (byte)'\n')
                {
                    line.Append(Encoding.Latin1.GetString(_buffer, _start, i - _start));
                    _start = i + 1;
                    if (line.Length > 0 && line[^1] == '\r')
                    {
                        line.Length--;
                    }

                    return line.ToString();
                }
            }

            line.Append(Encoding.Latin1.GetString(_buffer, _start, _end - _start));
            _start = _end;
            if (!await FillAsync(ct))
            {
                throw new IOException("the server closed the connection");
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer, ct);
        return _end > 0;
    }
}
