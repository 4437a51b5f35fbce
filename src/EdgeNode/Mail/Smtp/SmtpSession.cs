using System.Buffers;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Net;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// One SMTP connection's state machine (RFC 5321 §4.1, §4.3.2). The session owns the read loop:
/// it parses every command already buffered, writes the replies and flushes them only when it is
/// about to wait for the client (RFC 2920 §3: PIPELINING), so a pipelined batch gets one write.
/// This file holds the loop, the I/O and the simple commands; mail transactions and AUTH/STARTTLS
/// are in the other parts.
/// </summary>
internal sealed partial class SmtpSession
{
    /// <summary>RFC 4954 §4: the AUTH command line (with an initial response) may be 12288 octets.</summary>
    internal const int CommandLineLimit = 12288;

    // Replies are flushed at the latest after this many bytes even if the client keeps sending.
    private const int FlushThreshold = 16 * 1024;
    private static readonly TimeSpan FarewellTimeout = TimeSpan.FromSeconds(10);

    private readonly IMailConnection _connection;
    private readonly IMailStore _store;
    private readonly SmtpOptions _options;
    private readonly SmtpPortKind _kind;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _hostName;
    private readonly string _sessionId;
    private readonly CancellationToken _shutdown;

    private ReadOnlySequence<byte> _input;
    private bool _hasInput;
    private bool _inputCompleted;
    private SmtpLineState _lineState;
    private int _unflushed;
    private bool _closed;

    private int _commands;
    private int _errors;

    public SmtpSession(
        IMailConnection connection,
        IMailStore store,
        SmtpOptions options,
        SmtpPortKind kind,
        TimeProvider time,
        ILogger logger,
        string hostName,
        string sessionId,
        CancellationToken shutdown)
    {
        _connection = connection;
        _store = store;
        _options = options;
        _kind = kind;
        _time = time;
        _logger = logger;
        _hostName = hostName;
        _sessionId = sessionId;
        _shutdown = shutdown;
    }

    /// <summary>The node's budgets (null: none): new mail is refused with 452 4.3.1 while they say so.</summary>
    public IAdmissionGate? Gate { get; init; }

    /// <summary>The node's bound on message buffers, shared by all sessions.</summary>
    public MessageMemory Memory { get; init; } = MessageMemory.Unlimited;

    private TimeSpan CommandTimeout => TimeSpan.FromSeconds(_options.CommandTimeoutSeconds);

    private TimeSpan DataTimeout => TimeSpan.FromSeconds(_options.DataTimeoutSeconds);

    /// <summary>Submission ports (RFC 6409 §4.3) take mail only from a logged-in user.</summary>
    private bool RequiresAuth => _kind != SmtpPortKind.Receiving;

    public async Task RunAsync()
    {
        LogSessionStarted(_sessionId, _connection.RemoteEndPoint?.ToString() ?? "?");
        try
        {
            // RFC 5321 §4.2 / RFC 2034 §3: the greeting carries no enhanced status code.
            Reply(220, null, $"{_hostName} ESMTP");
            while (!_closed)
            {
                if (await ReadCommandAsync().ConfigureAwait(false) is not { } command)
                {
                    break; // the client closed the connection
                }

                if (++_commands > _options.MaxCommandsPerSession)
                {
                    Reply(421, "4.7.0", $"{_hostName} Too many commands, closing connection");
                    break;
                }

                await ExecuteAsync(command).ConfigureAwait(false);
                if (_unflushed >= FlushThreshold)
                {
                    // A long pipelined batch: send what is ready, and wait if the client is not reading.
                    await FlushAsync(CommandTimeout).ConfigureAwait(false);
                }

                if (!_closed && _errors >= _options.MaxErrorsPerSession)
                {
                    Reply(421, "4.7.0", $"{_hostName} Too many errors, closing connection");
                    break;
                }
            }

            await FarewellFlushAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            Reply(421, "4.3.0", $"{_hostName} Service shutting down, closing connection");
            await FarewellFlushAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // RFC 5321 §4.5.3.2: the client was silent longer than the timeout.
            LogTimeout(_sessionId);
            Reply(421, "4.4.2", $"{_hostName} Timeout, closing connection");
            await FarewellFlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            LogConnectionLost(_sessionId, e.Message);
        }
        finally
        {
            ResetTransaction();
            LogSessionEnded(_sessionId, _commands);
        }
    }

    private async ValueTask ExecuteAsync(SmtpCommand command)
    {
        switch (command.Kind)
        {
            case SmtpCommandKind.Ehlo:
                Ehlo(command.Argument!);
                break;
            case SmtpCommandKind.Helo:
                // RFC 5321 §4.1.4: HELO, like EHLO, clears any transaction.
                ResetTransaction();
                _helo = command.Argument;
                _esmtp = false;
                Reply(250, null, _hostName);
                break;
            case SmtpCommandKind.Mail:
                Mail(command);
                break;
            case SmtpCommandKind.Rcpt:
                Rcpt(command);
                break;
            case SmtpCommandKind.Data:
                await DataAsync().ConfigureAwait(false);
                break;
            case SmtpCommandKind.Bdat:
                await BdatAsync(command.ChunkSize, command.IsLast).ConfigureAwait(false);
                break;
            case SmtpCommandKind.Rset:
                ResetTransaction();
                Reply(250, "2.0.0", "OK");
                break;
            case SmtpCommandKind.Noop:
                Reply(250, "2.0.0", "OK");
                break;
            case SmtpCommandKind.Quit:
                Reply(221, "2.0.0", $"{_hostName} closing connection");
                _closed = true;
                break;
            case SmtpCommandKind.Vrfy:
                // RFC 5321 §3.5.3: do not confirm addresses (no harvesting), but do not refuse either.
                Reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
                break;
            case SmtpCommandKind.StartTls:
                await StartTlsAsync().ConfigureAwait(false);
                break;
            case SmtpCommandKind.Auth:
                await AuthAsync(command.Argument!, command.InitialResponse).ConfigureAwait(false);
                break;
            case SmtpCommandKind.LineTooLong:
                Reply(500, "5.5.2", "Line too long"); // RFC 5321 §4.5.3.1.4
                break;
            case SmtpCommandKind.Syntax:
                Reply(501, "5.5.4", command.ErrorReason ?? "Syntax error in parameters");
                break;
            default:
                Reply(500, "5.5.1", "Command unrecognized");
                break;
        }
    }

    private void Ehlo(string domain)
    {
        // RFC 5321 §4.1.4: EHLO clears any transaction; the reply lists the extensions (§4.1.1.1).
        ResetTransaction();
        _helo = domain;
        _esmtp = true;
        var lines = new List<string>(10)
        {
            _hostName,
            "PIPELINING", // RFC 2920
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SIZE {_options.MaxMessageBytes}"), // RFC 1870
            "8BITMIME", // RFC 6152
            "SMTPUTF8", // RFC 6531
            "ENHANCEDSTATUSCODES", // RFC 2034
            "CHUNKING", // RFC 3030
        };
        if (_connection.CanStartTls && !_connection.IsSecure)
        {
            lines.Add("STARTTLS"); // RFC 3207
        }

        if (_connection.IsSecure)
        {
            // RFC 4954 §4, RFC 8314 §3: passwords only ever cross an encrypted connection.
            lines.Add("AUTH PLAIN LOGIN");
        }

        Reply(250, null, lines);
    }

    /// <summary>Parses the next command, reading more input as needed; null when the client has gone.</summary>
    private async ValueTask<SmtpCommand?> ReadCommandAsync()
    {
        while (true)
        {
            if (_hasInput)
            {
                var reader = new SequenceReader<byte>(_input);
                var parsed = SmtpCommandParser.TryParseCommand(ref reader, CommandLineLimit, ref _lineState, out var command);
                _input = _input.Slice(reader.Position); // the discard state may consume even when false
                if (parsed)
                {
                    return command;
                }
            }

            if (!await ReadMoreAsync(CommandTimeout).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Gives back what was consumed of the current buffer and waits for more bytes, flushing the
    /// replies first when it would block. Returns false when the client closed its side and sent
    /// nothing new. Throws <see cref="OperationCanceledException"/> on timeout or shutdown.
    /// </summary>
    private async ValueTask<bool> ReadMoreAsync(TimeSpan timeout)
    {
        var input = _connection.Input;
        var previous = 0L;
        if (_hasInput)
        {
            previous = _input.Length;
            input.AdvanceTo(_input.Start, _input.End); // all examined: wait for new bytes
            _hasInput = false;
        }

        if (_inputCompleted || _closed)
        {
            return false;
        }

        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, _shutdown);
        var read = input.ReadAsync(linked.Token);
        if (!read.IsCompleted || _unflushed >= FlushThreshold)
        {
            await FlushAsync(linked.Token).ConfigureAwait(false);
        }

        var result = await read.ConfigureAwait(false);
        _input = result.Buffer;
        _hasInput = true;
        if (result.IsCompleted)
        {
            _inputCompleted = true;
            return result.Buffer.Length > previous;
        }

        return !_closed;
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_unflushed == 0)
        {
            return;
        }

        _unflushed = 0;
        var result = await _connection.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled)
        {
            _closed = true; // the client stopped reading
        }
    }

    private async ValueTask FlushAsync(TimeSpan timeout)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, _shutdown);
        await FlushAsync(linked.Token).ConfigureAwait(false);
    }

    /// <summary>Flushes the last replies without waiting long for a client that does not read.</summary>
    private async ValueTask FarewellFlushAsync()
    {
        try
        {
            using var timeoutSource = new CancellationTokenSource(FarewellTimeout, _time);
            await FlushAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogTimeout(_sessionId);
        }
        catch (IOException e)
        {
            LogConnectionLost(_sessionId, e.Message);
        }
    }

    private void Reply(int code, string? enhanced, string text) => Reply(code, enhanced, [text]);

    private void Reply(int code, string? enhanced, IReadOnlyList<string> lines)
    {
        var output = _connection.Output;
        var size = SmtpReply.GetByteCount(code, enhanced, lines);
        var written = SmtpReply.Write(output.GetSpan(size), code, enhanced, lines);
        output.Advance(written);
        _unflushed += written;
        // Consecutive failures close the session (password guessing, address harvesting, junk).
        if (code < 400)
        {
            _errors = 0;
        }
        else if (code >= 500)
        {
            _errors++;
        }
    }

    /// <summary>A raw line (the 334 continuation of RFC 4954 §4 is "334" SP [base64], which <see cref="SmtpReply"/> does not write for an empty text).</summary>
    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        _connection.Output.Write(bytes);
        _unflushed += bytes.Length;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "smtp {Session}: connection from {Remote}")]
    private partial void LogSessionStarted(string session, string remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "smtp {Session}: closed after {Commands} commands")]
    private partial void LogSessionEnded(string session, int commands);

    [LoggerMessage(Level = LogLevel.Information, Message = "smtp {Session}: timeout")]
    private partial void LogTimeout(string session);

    [LoggerMessage(Level = LogLevel.Information, Message = "smtp {Session}: connection lost: {Reason}")]
    private partial void LogConnectionLost(string session, string reason);
}
