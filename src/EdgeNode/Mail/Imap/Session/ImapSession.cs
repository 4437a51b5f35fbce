using System.Buffers;
using System.IO.Pipelines;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Net;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>
/// One IMAP connection (RFC 9051, with RFC 3501 clients in mind): reads commands, runs them
/// against the user's mailbox, writes responses and flushes once per command.
/// </summary>
internal sealed partial class ImapSession : IDisposable
{
    /// <summary>Unconsumed bytes beyond which an incomplete command moves out of the pipe (see <see cref="CommandCarry"/>).</summary>
    private const int CarryThreshold = 16 * 1024;

    private readonly IMailConnection _connection;
    private readonly IMailStore _store;
    private readonly ImapOptions _options;
    private readonly IMessageRenderer _renderer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly BodyCache _bodies;
    private readonly Search.ParsedMessageCache _parsed = new();
    private ImapSessionState _state = ImapSessionState.NotAuthenticated;
    private IUserMailbox? _mailbox;
    private SelectedFolder? _selected;
    private bool _condstore;
    private bool _rev2;
    private bool _utf8;
    private int _errors;
    private volatile bool _timedOut;

    public ImapSession(IMailConnection connection, IMailStore store, ImapOptions options, IMessageRenderer renderer, TimeProvider time, ILogger logger, BodyCache bodies)
    {
        _bodies = bodies;
        _connection = connection;
        _store = store;
        _options = options;
        _renderer = renderer;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(static s => ((ImapSession)s!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private PipeWriter Output => _connection.Output;

    private PipeReader Input => _connection.Input;

    private bool CanAuthenticate => _connection.IsSecure || _options.AllowPlaintextAuth;

    public void Dispose() => _timer.Dispose();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ImapResponseWriter.Untagged(Output, "OK [CAPABILITY " + Capabilities() + "] EPostEdge IMAP ready");
        await Output.FlushAsync(cancellationToken);
        var parserState = default(ImapParserState);
        var continuationsSent = 0;
        var carry = new CommandCarry();
        try
        {
            while (_state != ImapSessionState.Logout)
            {
                ImapParseStatus status;
                ImapCommand? command;
                int pending;
                if (carry.Length > 0)
                {
                    status = ParseBuffer(carry.Sequence, ref parserState, out command, out pending, out _, out var carried);
                    carry.Consume(carried);
                    if (status == ImapParseStatus.Complete)
                    {
                        continuationsSent = 0;
                        if (!await RunCommandAsync(command!, cancellationToken))
                        {
                            return;
                        }

                        continue;
                    }
                }
                else
                {
                    status = ImapParseStatus.Incomplete;
                    pending = 0;
                }

                if (carry.Length > 0)
                {
                    continuationsSent = await ContinueAsync(status, pending, continuationsSent, cancellationToken);
                }

                ArmTimer();
                var result = await Input.ReadAsync(cancellationToken);
                if (result.IsCanceled && _timedOut)
                {
                    ImapResponseWriter.Untagged(Output, "BYE Autologout; idle for too long");
                    await Output.FlushAsync(cancellationToken);
                    return;
                }

                var buffer = result.Buffer;
                if (carry.Length > 0)
                {
                    carry.Append(buffer);
                    Input.AdvanceTo(buffer.End);
                    if (result.IsCompleted)
                    {
                        return;
                    }

                    continue;
                }

                status = ParseBuffer(buffer, ref parserState, out command, out pending, out var consumed, out var consumedCount);
                if (status == ImapParseStatus.Complete)
                {
                    Input.AdvanceTo(consumed);
                    continuationsSent = 0;
                    if (!await RunCommandAsync(command!, cancellationToken))
                    {
                        return;
                    }

                    continue;
                }

                if (buffer.Length - consumedCount > CarryThreshold)
                {
                    carry.Append(buffer.Slice(consumed));
                    Input.AdvanceTo(buffer.End);
                }
                else
                {
                    Input.AdvanceTo(consumed, buffer.End);
                }

                continuationsSent = await ContinueAsync(status, pending, continuationsSent, cancellationToken);
                if (result.IsCompleted)
                {
                    return; // the client went away
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await TrySayAsync("* BYE Server shutting down\r\n"u8.ToArray());
        }
        finally
        {
            _selected = null;
        }
    }

    private ImapParseStatus ParseBuffer(ReadOnlySequence<byte> buffer, ref ImapParserState state, out ImapCommand? command, out int pending, out SequencePosition consumed, out long consumedCount)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = ImapCommandParser.TryParseCommand(ref reader, _options.MaxLineLength, _options.MaxMessageBytes, ref state, out command, out pending);
        consumed = reader.Position;
        consumedCount = reader.Consumed;
        return status;
    }

    /// <summary>Runs one command and flushes its responses; false when the session must end.</summary>
    private async Task<bool> RunCommandAsync(ImapCommand command, CancellationToken cancellationToken)
    {
        await ExecuteAsync(command, cancellationToken);
        await Output.FlushAsync(cancellationToken);
        if (_errors >= _options.MaxErrorsPerSession)
        {
            ImapResponseWriter.Untagged(Output, "BYE Too many invalid commands");
            await Output.FlushAsync(cancellationToken);
            return false;
        }

        return true;
    }

    /// <summary>RFC 9051 §7.5: the client waits for "+" before sending a synchronising literal; sent once per literal.</summary>
    private async Task<int> ContinueAsync(ImapParseStatus status, int pending, int continuationsSent, CancellationToken cancellationToken)
    {
        if (status != ImapParseStatus.NeedsContinuation || pending < continuationsSent)
        {
            return continuationsSent;
        }

        ImapResponseWriter.Raw(Output, "+ Ready for literal data\r\n"u8);
        await Output.FlushAsync(cancellationToken);
        return pending + 1;
    }

    private void ArmTimer()
    {
        // A timer that fired during a long command leaves only a cancelled read behind, not a logout.
        _timedOut = false;
        var seconds = _state == ImapSessionState.NotAuthenticated ? _options.PreAuthTimeoutSeconds : _options.IdleTimeoutSeconds;
        _timer.Change(TimeSpan.FromSeconds(Math.Max(1, seconds)), Timeout.InfiniteTimeSpan);
    }

    private void OnTimeout()
    {
        _timedOut = true;
        try
        {
            _connection.Input.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // the reader completed meanwhile
        }
    }

    private async Task TrySayAsync(byte[] line)
    {
        try
        {
            ImapResponseWriter.Raw(Output, line);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            await Output.FlushAsync(cts.Token);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            // the connection is gone: nothing more to say
        }
    }

    private string Capabilities()
    {
        var caps = "IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS MOVE CONDSTORE SPECIAL-USE LIST-STATUS LIST-EXTENDED ESEARCH BINARY UNSELECT CHILDREN";
        if (_state == ImapSessionState.NotAuthenticated)
        {
            if (_connection.CanStartTls && !_connection.IsSecure)
            {
                caps += " STARTTLS";
            }

            caps += CanAuthenticate ? " SASL-IR AUTH=PLAIN" : " LOGINDISABLED";
        }

        return caps;
    }

    private void Ok(string tag, string text)
    {
        _errors = 0;
        ImapResponseWriter.Tagged(Output, tag, "OK", text);
    }

    private void No(string tag, string text) => ImapResponseWriter.Tagged(Output, tag, "NO", text);

    private void Bad(string tag, string text)
    {
        _errors++;
        ImapResponseWriter.Tagged(Output, tag, "BAD", text);
    }

    /// <summary>Sends what changed in the selected folder (if any), then the tagged OK.</summary>
    private void Complete(string tag, string text, bool allowExpunge = true)
    {
        _selected?.WriteUpdates(Output, allowExpunge, _condstore);
        Ok(tag, text);
    }

    private static string MailboxCode(MailboxErrorKind kind) => kind switch
    {
        MailboxErrorKind.NotFound => "[NONEXISTENT]",
        MailboxErrorKind.AlreadyExists => "[ALREADYEXISTS]",
        MailboxErrorKind.OverQuota => "[OVERQUOTA]",
        MailboxErrorKind.TooBig => "[TOOBIG]",
        _ => "[CANNOT]",
    };
}
