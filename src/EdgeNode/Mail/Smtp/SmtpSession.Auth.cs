using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>STARTTLS (RFC 3207) and AUTH PLAIN / LOGIN (RFC 4954, RFC 4616).</summary>
internal sealed partial class SmtpSession
{
    // RFC 4954 §4: the server challenges of AUTH LOGIN, "Username:" and "Password:" in base64.
    private static ReadOnlySpan<byte> UsernameChallenge => "334 VXNlcm5hbWU6\r\n"u8;

    private static ReadOnlySpan<byte> PasswordChallenge => "334 UGFzc3dvcmQ6\r\n"u8;

    private static ReadOnlySpan<byte> EmptyChallenge => "334 \r\n"u8;

    private async ValueTask StartTlsAsync()
    {
        if (_connection.IsSecure)
        {
            Reply(503, "5.5.1", "TLS already active");
            return;
        }

        if (!_connection.CanStartTls)
        {
            Reply(502, "5.5.1", "STARTTLS not available"); // not advertised
            return;
        }

        Reply(220, "2.0.0", "Ready to start TLS");
        await FlushAsync(CommandTimeout).ConfigureAwait(false);
        if (_closed)
        {
            return;
        }

        // RFC 3207 §5: plaintext the client pipelined behind STARTTLS is dropped, never executed
        // after the handshake (the command injection of CVE-2011-0411).
        if (_hasInput)
        {
            _connection.Input.AdvanceTo(_input.End);
            _hasInput = false;
        }

        _lineState = default;
        try
        {
            using var timeoutSource = new CancellationTokenSource(CommandTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, _shutdown);
            await _connection.UpgradeToTlsAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // No reply can be sent: the stream is neither plaintext nor TLS any more.
            LogTlsFailed(_sessionId, e.Message);
            _closed = true;
            return;
        }

        // RFC 3207 §4.2: forget everything learned before TLS; the client must EHLO again.
        _inputCompleted = false;
        ResetTransaction();
        _helo = null;
        _esmtp = false;
        _user = null;
    }

    private async ValueTask AuthAsync(string mechanism, string? initialResponse)
    {
        if (!_connection.IsSecure)
        {
            // RFC 4954 §6, RFC 8314 §3: never take a password over plaintext.
            Reply(538, "5.7.11", "Encryption required for requested authentication mechanism");
            return;
        }

        if (!_esmtp)
        {
            Reply(503, "5.5.1", "Send EHLO first");
            return;
        }

        if (_user is not null || _from is not null)
        {
            // RFC 4954 §4: one AUTH per session, and none during a mail transaction.
            Reply(503, "5.5.1", _user is not null ? "Already authenticated" : "AUTH not permitted during a mail transaction");
            return;
        }

        string? userName;
        string? password;
        switch (mechanism)
        {
            case "PLAIN":
                {
                    var response = initialResponse;
                    if (response is null)
                    {
                        WriteRaw(EmptyChallenge);
                        response = await ReadSaslResponseAsync().ConfigureAwait(false);
                    }

                    if (!TryDecode(response, out var decoded))
                    {
                        return;
                    }

                    // RFC 4616 §2: [authzid] NUL authcid NUL passwd; acting for another user is not offered.
                    var parts = decoded.Split('\0');
                    if (parts.Length != 3 || (parts[0].Length > 0 && parts[0] != parts[1]))
                    {
                        Reply(535, "5.7.8", "Authentication credentials invalid");
                        return;
                    }

                    userName = parts[1];
                    password = parts[2];
                    break;
                }

            case "LOGIN":
                {
                    var response = initialResponse;
                    if (response is null)
                    {
                        WriteRaw(UsernameChallenge);
                        response = await ReadSaslResponseAsync().ConfigureAwait(false);
                    }

                    if (!TryDecode(response, out userName))
                    {
                        return;
                    }

                    WriteRaw(PasswordChallenge);
                    response = await ReadSaslResponseAsync().ConfigureAwait(false);
                    if (!TryDecode(response, out password))
                    {
                        return;
                    }

                    break;
                }

            default:
                Reply(504, "5.5.4", "Unrecognized authentication type");
                return;
        }

        Mailbox.IUserMailbox? mailbox;
        try
        {
            mailbox = userName.Length == 0 ? null : await _store.AuthenticateAsync(userName, password, _shutdown).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailure(_sessionId, e);
            Reply(454, "4.7.0", "Temporary authentication failure"); // RFC 4954 §6
            return;
        }

        if (mailbox is null)
        {
            LogAuthFailed(_sessionId);
            Reply(535, "5.7.8", "Authentication credentials invalid");
            return;
        }

        _user = mailbox.UserName;
        LogAuthenticated(_sessionId, _user);
        Reply(235, "2.7.0", "Authentication successful");
    }

    /// <summary>
    /// Decodes one SASL response, or answers the failure and returns false: null (the client went
    /// away, or the line was too long), "*" (RFC 4954 §4: the client cancels, 501) or bad base64 (501).
    /// </summary>
    private bool TryDecode(string? response, out string text)
    {
        text = string.Empty;
        if (response is null)
        {
            return false;
        }

        if (response == "*")
        {
            Reply(501, "5.7.0", "Authentication cancelled");
            return false;
        }

        if (response == "=")
        {
            return true; // RFC 4954 §4: "=" is an empty initial response
        }

        var bytes = Encoding.ASCII.GetBytes(response);
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(bytes.Length)];
        if (Base64.DecodeFromUtf8(bytes, decoded, out _, out var written) != OperationStatus.Done
            || !System.Text.Unicode.Utf8.IsValid(decoded.AsSpan(0, written)))
        {
            Reply(501, "5.5.2", "Invalid base64 data");
            return false;
        }

        text = Encoding.UTF8.GetString(decoded, 0, written);
        return true;
    }

    /// <summary>Reads one line of an AUTH exchange; null when the client has gone or the line was too long (answered 500 5.5.6).</summary>
    private async ValueTask<string?> ReadSaslResponseAsync()
    {
        while (true)
        {
            if (_hasInput)
            {
                var reader = new SequenceReader<byte>(_input);
                if (reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: true))
                {
                    _input = _input.Slice(reader.Position);
                    if (line.Length + 2 > CommandLineLimit)
                    {
                        Reply(500, "5.5.6", "Authentication exchange line is too long"); // RFC 4954 §6
                        return null;
                    }

                    return Encoding.ASCII.GetString(line);
                }

                if (_input.Length >= CommandLineLimit)
                {
                    // Drop the overlong line as the command parser would (its discard state ends at CRLF).
                    var keep = _input.Slice(_input.Length - 1).FirstSpan[0] == (byte)'\r' ? 1 : 0;
                    _input = _input.Slice(_input.Length - keep);
                    _lineState.IsDiscarding = true;
                    Reply(500, "5.5.6", "Authentication exchange line is too long");
                    return null;
                }
            }

            if (!await ReadMoreAsync(CommandTimeout).ConfigureAwait(false))
            {
                _closed = true;
                return null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "smtp {Session}: authenticated as {User}")]
    private partial void LogAuthenticated(string session, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "smtp {Session}: authentication failed")]
    private partial void LogAuthFailed(string session);

    [LoggerMessage(Level = LogLevel.Warning, Message = "smtp {Session}: TLS handshake failed: {Reason}")]
    private partial void LogTlsFailed(string session, string reason);
}
