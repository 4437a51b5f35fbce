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
    private readonly IMailConnection _connection;
    private readonly IMailStore _store;
    private readonly ImapOptions _options;
    private readonly IMessageRenderer _renderer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private ImapSessionState _state = ImapSessionState.NotAuthenticated;
    private IUserMailbox? _mailbox;
    private SelectedFolder? _selected;
    private bool _condstore;
    private bool _rev2;
    private bool _utf8;
    private int _errors;
    private volatile bool _timedOut;

    public ImapSession(IMailConnection connection, IMailStore store, ImapOptions options, IMessageRenderer renderer, TimeProvider time, ILogger logger)
    {
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
        try
        {
            while (_state != ImapSessionState.Logout)
            {
                ArmTimer();
                var result = await Input.ReadAsync(cancellationToken);
                if (result.IsCanceled && _timedOut)
                {
                    ImapResponseWriter.Untagged(Output, "BYE Autologout; idle for too long");
                    await Output.FlushAsync(cancellationToken);
                    return;
                }

                var buffer = result.Buffer;
                var status = ParseBuffer(buffer, ref parserState, out var command, out var pending, out var consumed);
                if (status == ImapParseStatus.Complete)
                {
                    Input.AdvanceTo(consumed);
                    continuationsSent = 0;
                    await ExecuteAsync(command!, cancellationToken);
                    await Output.FlushAsync(cancellationToken);
                    if (_errors >= _options.MaxErrorsPerSession)
                    {
                        ImapResponseWriter.Untagged(Output, "BYE Too many invalid commands");
                        await Output.FlushAsync(cancellationToken);
                        return;
                    }

                    continue;
                }

                Input.AdvanceTo(consumed, buffer.End);
                if (status == ImapParseStatus.NeedsContinuation && pending >= continuationsSent)
                {
                    // RFC 9051 §7.5: the client waits for this before sending a synchronising literal.
                    ImapResponseWriter.Raw(Output, "+ Ready for literal data\r\n"u8);
                    await Output.FlushAsync(cancellationToken);
                    continuationsSent = pending + 1;
                }

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

    private ImapParseStatus ParseBuffer(ReadOnlySequence<byte> buffer, ref ImapParserState state, out ImapCommand? command, out int pending, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = ImapCommandParser.TryParseCommand(ref reader, _options.MaxLineLength, _options.MaxMessageBytes, ref state, out command, out pending);
        consumed = reader.Position;
        return status;
    }

    private void ArmTimer()
    {
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
