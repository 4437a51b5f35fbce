using System.Buffers;
using System.Text;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>STARTTLS, LOGIN and AUTHENTICATE PLAIN (RFC 9051 §6.2, RFC 4616, RFC 4959 SASL-IR).</summary>
internal sealed partial class ImapSession
{
    private async Task StartTlsAsync(string tag, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        if (args.Count != 0)
        {
            Bad(tag, "STARTTLS takes no arguments");
            return;
        }

        if (!_connection.CanStartTls || _connection.IsSecure)
        {
            No(tag, "TLS not available");
            return;
        }

        Ok(tag, "Begin TLS negotiation now");
        await Output.FlushAsync(cancellationToken);

        // RFC 9051 §6.2.1: the connection discards plaintext sent after the command; afterwards the
        // client must ask for capabilities again, which now include AUTH and not STARTTLS.
        await _connection.UpgradeToTlsAsync(cancellationToken);
    }

    private async Task LoginAsync(string tag, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        if (args.Count != 2 || !args[0].IsAString || !args[1].IsAString)
        {
            Bad(tag, "Expected: LOGIN user password");
            return;
        }

        if (!CanAuthenticate)
        {
            _errors++;
            No(tag, "[PRIVACYREQUIRED] LOGIN is disabled until STARTTLS");
            return;
        }

        await SignInAsync(tag, args[0].Text, args[1].Text, cancellationToken);
    }

    private async Task AuthenticateAsync(string tag, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        if (args.Count is < 1 or > 2 || !args[0].IsAtom)
        {
            Bad(tag, "Expected: AUTHENTICATE mechanism [initial-response]");
            return;
        }

        if (!args[0].IsWord("PLAIN"))
        {
            No(tag, "Unsupported authentication mechanism");
            return;
        }

        if (!CanAuthenticate)
        {
            _errors++;
            No(tag, "[PRIVACYREQUIRED] Authentication is disabled until STARTTLS");
            return;
        }

        string? response;
        if (args.Count == 2)
        {
            response = args[1].Text; // RFC 4959: "=" is an empty initial response
        }
        else
        {
            ImapResponseWriter.Raw(Output, "+ \r\n"u8);
            await Output.FlushAsync(cancellationToken);
            response = await ReadLineAsync(cancellationToken);
            if (response is null)
            {
                return;
            }
        }

        if (response == "*")
        {
            Bad(tag, "Authentication cancelled");
            return;
        }

        if (!TryDecodePlain(response, out var user, out var password))
        {
            Bad(tag, "Malformed PLAIN response");
            return;
        }

        await SignInAsync(tag, user, password, cancellationToken);
    }

    private async Task SignInAsync(string tag, string user, string password, CancellationToken cancellationToken)
    {
        var mailbox = await _store.AuthenticateAsync(user, password, cancellationToken);
        if (mailbox is null)
        {
            _errors++;
            No(tag, "[AUTHENTICATIONFAILED] Authentication failed");
            return;
        }

        _mailbox = mailbox;
        _state = ImapSessionState.Authenticated;
        Ok(tag, "[CAPABILITY " + Capabilities() + "] Logged in");
    }

    /// <summary>RFC 4616: [authzid] NUL authcid NUL passwd; an authzid other than the user is refused.</summary>
    private static bool TryDecodePlain(string base64, out string user, out string password)
    {
        user = password = string.Empty;
        var bytes = new byte[(base64.Length * 3 / 4) + 3];
        if (base64 == "=" || !Convert.TryFromBase64String(base64, bytes, out var n))
        {
            return false;
        }

        var span = bytes.AsSpan(0, n);
        var first = span.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return false;
        }

        var authzid = Encoding.UTF8.GetString(span[..first]);
        user = Encoding.UTF8.GetString(rest[..second]);
        password = Encoding.UTF8.GetString(rest[(second + 1)..]);
        return user.Length > 0 && (authzid.Length == 0 || authzid == user);
    }

    /// <summary>Reads one line of client input inside a command (SASL responses, IDLE's DONE); null when the client left.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ArmTimer();
            var result = await Input.ReadAsync(cancellationToken);
            if (result.IsCanceled && _timedOut)
            {
                ImapResponseWriter.Untagged(Output, "BYE Autologout; idle for too long");
                _state = ImapSessionState.Logout;
                return null;
            }

            var found = TryTakeLine(result.Buffer, out var line, out var consumed);
            if (found)
            {
                Input.AdvanceTo(consumed);
                return line ?? string.Empty;
            }

            Input.AdvanceTo(consumed, result.Buffer.End);
            if (result.IsCompleted)
            {
                _state = ImapSessionState.Logout;
                return null;
            }
        }
    }

    private bool TryTakeLine(ReadOnlySequence<byte> buffer, out string? line, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var found = ImapCommandParser.TryReadLine(ref reader, _options.MaxLineLength, out line);
        consumed = reader.Position;
        return found;
    }
}
