using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EPostEdge.EdgeNode.Mail.Mailbox;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>The mail transaction: MAIL, RCPT, DATA, BDAT and delivery (RFC 5321 §3.3, §4.1.1.2-4; RFC 3030).</summary>
internal sealed partial class SmtpSession
{
    private readonly List<string> _recipients = [];
    private string? _helo;
    private bool _esmtp;
    private string? _user;
    private SmtpPath? _from;
    private bool _smtpUtf8;
    private SmtpPath? _firstRecipient;
    private int _messages;

    // BDAT (RFC 3030 §2): the message being assembled from chunks, and its id.
    private SmtpMessageBuffer? _chunks;
    private string? _chunksId;
    private long _chunksStart;

    /// <summary>RFC 5321 §4.1.1.5: forget the sender, the recipients and any message data.</summary>
    private void ResetTransaction()
    {
        _from = null;
        _smtpUtf8 = false;
        _recipients.Clear();
        _firstRecipient = null;
        _chunks?.Dispose();
        _chunks = null;
        _chunksId = null;
    }

    private void Mail(SmtpCommand command)
    {
        if (_helo is null)
        {
            Reply(503, "5.5.1", "Send HELO or EHLO first");
            return;
        }

        if (_from is not null)
        {
            Reply(503, "5.5.1", "Nested MAIL command");
            return;
        }

        if (RequiresAuth && _user is null)
        {
            Reply(530, "5.7.0", "Authentication required"); // RFC 4954 §6, RFC 6409 §4.3
            return;
        }

        foreach (var parameter in command.Parameters)
        {
            if (parameter.Key is not ("SIZE" or "BODY" or "SMTPUTF8"))
            {
                // RFC 5321 §4.1.1.11: a parameter that was not advertised.
                Reply(555, "5.5.4", $"Unsupported parameter {parameter.Key}");
                return;
            }
        }

        if (command.Body == SmtpBodyType.BinaryMime)
        {
            Reply(555, "5.5.4", "BODY=BINARYMIME is not supported"); // RFC 3030 §3: not advertised
            return;
        }

        if (command.DeclaredSize > _options.MaxMessageBytes)
        {
            Reply(552, "5.3.4", "Message size exceeds fixed maximum message size"); // RFC 1870 §6.2
            return;
        }

        if (command.DeclaredSize > Memory.AvailableBytes)
        {
            // RFC 1870 §6.1: a size the server cannot take now is a temporary 452 at MAIL.
            Reply(452, "4.3.1", "Insufficient system storage: message memory in use, try again later");
            return;
        }

        var path = command.Path!;
        if (path.IsUtf8 && !command.RequestsSmtpUtf8)
        {
            Reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"); // RFC 6531 §3.5
            return;
        }

        if (RefuseNewMail())
        {
            return;
        }

        _from = path;
        _smtpUtf8 = command.RequestsSmtpUtf8;
        Reply(250, "2.1.0", "Sender OK");
    }

    private void Rcpt(SmtpCommand command)
    {
        if (_from is null || _chunks is not null)
        {
            Reply(503, "5.5.1", "Need MAIL before RCPT");
            return;
        }

        if (command.Parameters.Count > 0)
        {
            Reply(555, "5.5.4", $"Unsupported parameter {command.Parameters[0].Key}"); // no DSN (RFC 3461)
            return;
        }

        var path = command.Path!;
        if (path.IsUtf8 && !_smtpUtf8)
        {
            Reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8");
            return;
        }

        if (_recipients.Count >= _options.MaxRecipients)
        {
            Reply(452, "4.5.3", "Too many recipients"); // RFC 5321 §4.5.3.1.10
            return;
        }

        if (RefuseNewMail())
        {
            return;
        }

        var address = path.Domain.Length == 0 ? path.LocalPart : $"{path.LocalPart}@{path.Domain}";
        RecipientKind kind;
        try
        {
            kind = _store.ClassifyRecipient(address);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailure(_sessionId, e);
            Reply(451, "4.3.0", "Local error in processing");
            return;
        }

        switch (kind)
        {
            case RecipientKind.LocalUser:
                break;
            case RecipientKind.Remote when _user is not null:
                break;
            case RecipientKind.Remote:
                // RFC 5321 §3.6, RFC 5068: never an open relay.
                Reply(550, "5.7.1", "Relaying denied");
                return;
            default:
                Reply(550, "5.1.1", "No such user here");
                return;
        }

        if (!_recipients.Contains(address, StringComparer.OrdinalIgnoreCase))
        {
            _recipients.Add(address);
            _firstRecipient ??= path;
        }

        Reply(250, "2.1.5", "Recipient OK");
    }

    private async ValueTask DataAsync()
    {
        if (_from is null || _chunks is not null)
        {
            // RFC 3030 §2: DATA after BDAT in one transaction is out of sequence too.
            Reply(503, "5.5.1", "Need MAIL command");
            return;
        }

        if (_recipients.Count == 0)
        {
            Reply(554, "5.5.1", "No valid recipients"); // RFC 5321 §3.3
            return;
        }

        Reply(354, null, "End data with <CR><LF>.<CR><LF>");
        using var message = new SmtpMessageBuffer(Memory);
        var id = NextMessageId();
        WriteReceived(message, id);
        var state = new SmtpDataState(_options.MaxLineLength, _options.MaxHeaderBytes, _options.MaxMessageBytes);
        while (true)
        {
            if (_hasInput)
            {
                var reader = new SequenceReader<byte>(_input);
                var done = SmtpDataReader.TryRead(ref reader, ref state, message);
                _input = _input.Slice(reader.Position);
                if (done)
                {
                    break;
                }
            }

            // RFC 5321 §4.5.3.2.6: the timeout runs for each chunk of data received.
            if (!await ReadMoreAsync(DataTimeout).ConfigureAwait(false))
            {
                _closed = true; // the client went away before the terminating dot: nothing is delivered
                return;
            }
        }

        switch (state.Error)
        {
            case SmtpDataError.None when message.Overflowed:
                LogMemoryFull(_sessionId, Memory.CapacityBytes);
                Reply(452, "4.3.1", "Insufficient system storage: message memory in use, try again later");
                break;
            case SmtpDataError.None:
                await DeliverAsync(message, id).ConfigureAwait(false);
                break;
            case SmtpDataError.LineTooLong:
                Reply(500, "5.5.2", "Line too long"); // RFC 5321 §4.5.3.1.6
                break;
            case SmtpDataError.HeaderTooLarge:
                Reply(552, "5.3.4", "Message header too large");
                break;
            case SmtpDataError.TooBig:
                Reply(552, "5.3.4", "Message size exceeds fixed maximum message size"); // RFC 1870 §6.3
                break;
            default:
                // RFC 5321 §2.3.8: CR and LF only as CRLF; lenient servers made SMTP smuggling possible.
                Reply(554, "5.6.0", "Bare CR or LF in message text");
                break;
        }

        // RFC 5321 §4.1.1.4: the transaction ends with the data, whatever the outcome.
        ResetTransaction();
    }

    private async ValueTask BdatAsync(long chunkSize, bool isLast)
    {
        // RFC 3030 §2: the chunk follows the command whatever the reply, so it is always read; a
        // refused chunk is read and dropped so the next command is found where the client put it.
        (int Code, string Enhanced, string Text)? refusal = null;
        if (_from is null)
        {
            refusal = (503, "5.5.1", "Need MAIL command");
        }
        else if (_recipients.Count == 0)
        {
            refusal = (554, "5.5.1", "No valid recipients");
        }
        else if (_chunks is null)
        {
            _chunks = new SmtpMessageBuffer(Memory);
            _chunksId = NextMessageId();
            WriteReceived(_chunks, _chunksId);
            _chunksStart = _chunks.Length;
        }

        var tooBig = refusal is null && _chunks!.Length - _chunksStart + chunkSize > _options.MaxMessageBytes;
        var sink = refusal is null && !tooBig ? _chunks : null;
        if (!await ReadChunkAsync(chunkSize, sink).ConfigureAwait(false))
        {
            _closed = true;
            return;
        }

        if (refusal is { } r)
        {
            Reply(r.Code, r.Enhanced, r.Text);
            return;
        }

        if (tooBig)
        {
            Reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
            ResetTransaction(); // RFC 3030 §2: the client treats the transaction as failed
            return;
        }

        if (_chunks!.Overflowed)
        {
            LogMemoryFull(_sessionId, Memory.CapacityBytes);
            Reply(452, "4.3.1", "Insufficient system storage: message memory in use, try again later");
            ResetTransaction();
            return;
        }

        if (!isLast)
        {
            Reply(250, "2.0.0", string.Create(CultureInfo.InvariantCulture, $"{chunkSize} octets received"));
            return;
        }

        try
        {
            await DeliverAsync(_chunks!, _chunksId!).ConfigureAwait(false);
        }
        finally
        {
            ResetTransaction();
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes into <paramref name="sink"/> (or drops them when null).</summary>
    private async ValueTask<bool> ReadChunkAsync(long count, IBufferWriter<byte>? sink)
    {
        while (count > 0)
        {
            if (_hasInput && _input.Length > 0)
            {
                var take = _input.Slice(0, Math.Min(count, _input.Length));
                if (sink is not null)
                {
                    foreach (var segment in take)
                    {
                        sink.Write(segment.Span);
                    }
                }

                _input = _input.Slice(take.End);
                count -= take.Length;
                continue;
            }

            if (!await ReadMoreAsync(DataTimeout).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Hands the message to the store and answers 250 only once it is durable (RFC 5321 §6.1).</summary>
    private async ValueTask DeliverAsync(SmtpMessageBuffer message, string id)
    {
        var from = _from!.IsNull ? string.Empty : _from.Domain.Length == 0 ? _from.LocalPart : $"{_from.LocalPart}@{_from.Domain}";
        try
        {
            await _store.DeliverAsync(message.WrittenMemory, from, _recipients.ToArray(), _shutdown).ConfigureAwait(false);
        }
        catch (MailboxException e) when (e.Kind == MailboxErrorKind.OverQuota)
        {
            Reply(452, "4.3.1", "Insufficient system storage");
            return;
        }
        catch (MailboxException e) when (e.Kind == MailboxErrorKind.TooBig)
        {
            Reply(552, "5.3.4", "Message too big for system");
            return;
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            throw; // not stored: the client hears 421 and retries later
        }
        catch (Exception e)
        {
            LogStoreFailure(_sessionId, e);
            Reply(451, "4.3.0", "Local error in processing");
            return;
        }

        LogDelivered(_sessionId, id, message.Length, _recipients.Count);
        Reply(250, "2.0.0", $"OK id={id}");
    }

    /// <summary>
    /// The node's budgets: while the disk is near full or memory near its budget, new mail gets
    /// 452 4.3.1 (RFC 5321 §4.2.2 "insufficient system storage", RFC 3463 X.3.1 "mail system
    /// full"), a temporary failure the sender retries later, rather than being taken in and
    /// failing at the store.
    /// </summary>
    private bool RefuseNewMail()
    {
        if (Gate?.RefuseNewMail() is not { } reason)
        {
            return false;
        }

        Reply(452, "4.3.1", $"Insufficient system storage: {reason}");
        return true;
    }

    private string NextMessageId() =>
        string.Create(CultureInfo.InvariantCulture, $"{_sessionId}.{++_messages}");

    /// <summary>
    /// RFC 5321 §4.4: the trace line goes first. "for" names the recipient only when there is one,
    /// so a message does not reveal its Bcc recipients. The protocol is named as in RFC 3848 and
    /// RFC 6531 §3.7.3 (ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP…).
    /// </summary>
    private void WriteReceived(IBufferWriter<byte> sink, string id)
    {
        var protocol = (_smtpUtf8 ? "UTF8SMTP" : _esmtp ? "ESMTP" : "SMTP")
            + (_connection.IsSecure ? "S" : string.Empty)
            + (_user is not null ? "A" : string.Empty);
        var remote = AddressLiteral(_connection.RemoteEndPoint);
        var tcpInfo = remote is null ? string.Empty : $" ({remote})";
        var recipient = _recipients.Count == 1 && _firstRecipient is not null ? $"\r\n\tfor {_firstRecipient}" : string.Empty;
        // RFC 5322 §3.3 date-time, in UTC.
        var date = _time.GetUtcNow().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
        var header = $"Received: from {_helo}{tcpInfo}\r\n\tby {_hostName} with {protocol} id {id}{recipient};\r\n\t{date}\r\n";
        var bytes = Encoding.UTF8.GetByteCount(header);
        Encoding.UTF8.GetBytes(header, sink.GetSpan(bytes));
        sink.Advance(bytes);
    }

    /// <summary>RFC 5321 §4.1.3 address literal of the client, or null when it is not an IP endpoint.</summary>
    internal static string? AddressLiteral(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            return null;
        }

        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[IPv6:{new IPAddress(address.GetAddressBytes())}]" // without a zone id (RFC 5321 §4.1.3)
            : $"[{address}]";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "smtp {Session}: message {Id} ({Bytes} bytes) delivered to {Recipients} recipients")]
    private partial void LogDelivered(string session, string id, int bytes, int recipients);

    [LoggerMessage(Level = LogLevel.Warning, Message = "smtp {Session}: message dropped with 452, the node's {Capacity} bytes of SMTP message memory are in use (Budget:SmtpMessageMemory)")]
    private partial void LogMemoryFull(string session, long capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "smtp {Session}: the mail store failed")]
    private partial void LogStoreFailure(string session, Exception exception);
}
