using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// Parses SMTP command lines (RFC 5321 §4.1) from buffered bytes. Pure: no I/O, and nothing is
/// allocated per byte (strings are made once per command, for its arguments).
/// </summary>
public static class SmtpCommandParser
{
    /// <summary>RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.</summary>
    public const int DefaultMaxLineLength = 512;

    // RFC 5321 §4.5.3.1.1-3.
    private const int MaxLocalPartLength = 64;
    private const int MaxDomainLength = 255;
    private const int MaxPathLength = 256;
    private const int MaxLabelLength = 63; // RFC 1035 §2.3.4
    private const int StackLineLimit = 1024;

    /// <summary>
    /// Reads one command line.
    /// <para>Returns false and consumes nothing while no CRLF-terminated line is buffered. Otherwise
    /// consumes the line including its CRLF and returns true with the command. Only CRLF ends a line:
    /// a bare LF or CR inside it makes the whole line a <see cref="SmtpCommandKind.Syntax"/> error
    /// (RFC 5321 §2.3.8; this is the SMTP smuggling defence).</para>
    /// <para>A line longer than <paramref name="maxLineLength"/> (counting its CRLF) is reported as
    /// <see cref="SmtpCommandKind.LineTooLong"/>. If its CRLF has arrived the whole line is consumed.
    /// If not, but at least <paramref name="maxLineLength"/> bytes are buffered, it is reported at once,
    /// the buffered bytes are consumed (bar a trailing CR that may begin the CRLF) and
    /// <paramref name="state"/> remembers to discard the rest of that line: later calls then consume
    /// and drop bytes up to and including the next CRLF, returning false while it has not arrived. So
    /// the caller's buffer never holds more than about one line.</para>
    /// </summary>
    public static bool TryParseCommand(ref SequenceReader<byte> reader, int maxLineLength, ref SmtpLineState state, out SmtpCommand command)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 8);

        if (state.IsDiscarding)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n"u8, advancePastDelimiter: true))
            {
                DiscardBuffered(ref reader);
                command = default;
                return false;
            }

            state.IsDiscarding = false;
        }

        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: true))
        {
            // No CRLF among `Remaining` bytes, so the line is at least one byte longer than that.
            if (reader.Remaining >= maxLineLength)
            {
                DiscardBuffered(ref reader);
                state.IsDiscarding = true;
                command = TooLong();
                return true;
            }

            command = default;
            return false; // incomplete: nothing consumed
        }

        if (line.Length + 2 > maxLineLength)
        {
            command = TooLong();
            return true;
        }

        if (line.IsSingleSegment)
        {
            command = ParseLine(line.FirstSpan);
            return true;
        }

        var length = (int)line.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= StackLineLimit
            ? stackalloc byte[StackLineLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            line.CopyTo(buffer);
            command = ParseLine(buffer[..length]);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Parses one command line given without its CRLF.</summary>
    internal static SmtpCommand ParseLine(ReadOnlySpan<byte> line)
    {
        // RFC 5321 §2.3.8: CR and LF may only appear together as the line end.
        if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            return Syntax("Bare CR or LF in command line");
        }

        var space = line.IndexOf((byte)' ');
        var verb = space < 0 ? line : line[..space];
        var args = space < 0 ? [] : line[(space + 1)..];

        if (verb.Length == 4)
        {
            if (Ascii.EqualsIgnoreCase(verb, "EHLO"u8))
            {
                return ParseHello(SmtpCommandKind.Ehlo, args);
            }

            if (Ascii.EqualsIgnoreCase(verb, "HELO"u8))
            {
                return ParseHello(SmtpCommandKind.Helo, args);
            }

            if (Ascii.EqualsIgnoreCase(verb, "MAIL"u8))
            {
                return ParseMailOrRcpt(SmtpCommandKind.Mail, args, "FROM:"u8);
            }

            if (Ascii.EqualsIgnoreCase(verb, "RCPT"u8))
            {
                return ParseMailOrRcpt(SmtpCommandKind.Rcpt, args, "TO:"u8);
            }

            if (Ascii.EqualsIgnoreCase(verb, "DATA"u8))
            {
                return NoArguments(SmtpCommandKind.Data, args);
            }

            if (Ascii.EqualsIgnoreCase(verb, "BDAT"u8))
            {
                return ParseBdat(args);
            }

            if (Ascii.EqualsIgnoreCase(verb, "RSET"u8))
            {
                return NoArguments(SmtpCommandKind.Rset, args);
            }

            if (Ascii.EqualsIgnoreCase(verb, "NOOP"u8))
            {
                // RFC 5321 §4.1.1.9: an argument is allowed and ignored.
                return TryText(args, out var text)
                    ? new SmtpCommand { Kind = SmtpCommandKind.Noop, Argument = text.Length == 0 ? null : text }
                    : Syntax("Invalid UTF-8");
            }

            if (Ascii.EqualsIgnoreCase(verb, "QUIT"u8))
            {
                return NoArguments(SmtpCommandKind.Quit, args);
            }

            if (Ascii.EqualsIgnoreCase(verb, "VRFY"u8))
            {
                // RFC 5321 §4.1.1.6: "VRFY" SP String.
                if (args.Trim((byte)' ').IsEmpty)
                {
                    return Syntax("VRFY needs an argument");
                }

                return TryText(args, out var text)
                    ? new SmtpCommand { Kind = SmtpCommandKind.Vrfy, Argument = text }
                    : Syntax("Invalid UTF-8");
            }

            if (Ascii.EqualsIgnoreCase(verb, "AUTH"u8))
            {
                return ParseAuth(args);
            }
        }
        else if (verb.Length == 8 && Ascii.EqualsIgnoreCase(verb, "STARTTLS"u8))
        {
            return NoArguments(SmtpCommandKind.StartTls, args); // RFC 3207 §4
        }

        return new SmtpCommand { Kind = SmtpCommandKind.Unknown, ErrorReason = "Command unrecognized" };
    }

    private static SmtpCommand NoArguments(SmtpCommandKind kind, ReadOnlySpan<byte> args) =>
        // RFC 5321 §4.1.1.4, §4.1.1.5, §4.1.1.10: no parameters (trailing spaces are tolerated).
        args.Trim((byte)' ').IsEmpty ? new SmtpCommand { Kind = kind } : Syntax("No parameters allowed");

    private static SmtpCommand ParseHello(SmtpCommandKind kind, ReadOnlySpan<byte> args)
    {
        // RFC 5321 §4.1.1.1: "EHLO" SP ( Domain / address-literal ). Underscores are tolerated in
        // the domain because real clients (Windows host names) send them, and so are trailing spaces.
        args = args.TrimEnd((byte)' ');
        if (args.IsEmpty)
        {
            return Syntax("Domain name required");
        }

        var valid = args[0] == (byte)'['
            ? IsAddressLiteral(args)
            : IsDomain(args, allowUnderscore: true);
        return valid
            ? new SmtpCommand { Kind = kind, Argument = Encoding.UTF8.GetString(args) }
            : Syntax("Invalid domain name");
    }

    private static SmtpCommand ParseBdat(ReadOnlySpan<byte> args)
    {
        // RFC 3030 §2: "BDAT" SP chunk-size [ SP end-marker ], chunk-size = 1*DIGIT, end-marker = "LAST".
        var space = args.IndexOf((byte)' ');
        var size = space < 0 ? args : args[..space];
        if (!TryParseDigits(size, out var chunkSize))
        {
            return Syntax("BDAT needs a chunk size");
        }

        var isLast = false;
        if (space >= 0)
        {
            if (!Ascii.EqualsIgnoreCase(args[(space + 1)..], "LAST"u8))
            {
                return Syntax("Expected LAST");
            }

            isLast = true;
        }

        return new SmtpCommand { Kind = SmtpCommandKind.Bdat, ChunkSize = chunkSize, IsLast = isLast };
    }

    private static SmtpCommand ParseAuth(ReadOnlySpan<byte> args)
    {
        // RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response]; sasl-mech = 1*20 (ALPHA / DIGIT / "-" / "_").
        var space = args.IndexOf((byte)' ');
        var mechanism = space < 0 ? args : args[..space];
        if (mechanism.IsEmpty || mechanism.Length > 20 || mechanism.ContainsAnyExcept(MechanismChars))
        {
            return Syntax("Invalid mechanism");
        }

        string? initial = null;
        if (space >= 0)
        {
            var response = args[(space + 1)..];
            // initial-response = base64 / "=" (an empty response).
            if (response.IsEmpty || response.ContainsAnyExcept(Base64Chars))
            {
                return Syntax("Invalid initial response");
            }

            initial = Encoding.ASCII.GetString(response);
        }

        return new SmtpCommand
        {
            Kind = SmtpCommandKind.Auth,
            Argument = Encoding.ASCII.GetString(mechanism).ToUpperInvariant(),
            InitialResponse = initial,
        };
    }

    private static SmtpCommand ParseMailOrRcpt(SmtpCommandKind kind, ReadOnlySpan<byte> args, ReadOnlySpan<byte> prefix)
    {
        var isMail = kind == SmtpCommandKind.Mail;
        if (args.Length < prefix.Length || !Ascii.EqualsIgnoreCase(args[..prefix.Length], prefix))
        {
            return Syntax(isMail ? "Expected MAIL FROM:<address>" : "Expected RCPT TO:<address>");
        }

        // RFC 5321 §4.1.2 puts no space after the colon, but many clients send one; tolerate it.
        var rest = args[prefix.Length..].TrimStart((byte)' ');
        var reason = ParsePath(rest, isMail, out var path, out var consumed);
        if (reason is not null)
        {
            return Syntax(reason);
        }

        rest = rest[consumed..];
        if (!rest.IsEmpty && rest[0] != (byte)' ')
        {
            return Syntax("Expected a space after the address");
        }

        var command = new SmtpCommand { Kind = kind, Path = path };
        return ParseParameters(rest, isMail, command);
    }

    private static SmtpCommand ParseParameters(ReadOnlySpan<byte> rest, bool isMail, SmtpCommand command)
    {
        List<SmtpParameter>? parameters = null;
        long? size = null;
        var body = SmtpBodyType.None;
        var smtpUtf8 = false;

        while (true)
        {
            rest = rest.TrimStart((byte)' ');
            if (rest.IsEmpty)
            {
                break;
            }

            var end = rest.IndexOf((byte)' ');
            var token = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[end..];

            // RFC 5321 §4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-");
            // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531 §3.3).
            var equals = token.IndexOf((byte)'=');
            var keyword = equals < 0 ? token : token[..equals];
            if (keyword.IsEmpty || keyword[0] == (byte)'-' || keyword.ContainsAnyExcept(KeywordChars))
            {
                return Syntax("Invalid parameter keyword");
            }

            string? value = null;
            if (equals >= 0)
            {
                var raw = token[(equals + 1)..];
                if (raw.IsEmpty || raw.IndexOf((byte)'=') >= 0 || ContainsControl(raw) || !Utf8.IsValid(raw))
                {
                    return Syntax("Invalid parameter value");
                }

                value = Encoding.UTF8.GetString(raw);
            }

            var key = Encoding.ASCII.GetString(keyword).ToUpperInvariant();
            if (isMail)
            {
                switch (key)
                {
                    case "SIZE": // RFC 1870 §6: SIZE=1*20DIGIT
                        if (size is not null || equals < 0 || !TryParseDigits(token[(equals + 1)..], out var n))
                        {
                            return Syntax("Invalid SIZE parameter");
                        }

                        size = n;
                        break;
                    case "BODY": // RFC 6152 §2, RFC 3030 §3
                        if (body != SmtpBodyType.None)
                        {
                            return Syntax("Duplicate BODY parameter");
                        }

                        body = value?.ToUpperInvariant() switch
                        {
                            "7BIT" => SmtpBodyType.SevenBit,
                            "8BITMIME" => SmtpBodyType.EightBitMime,
                            "BINARYMIME" => SmtpBodyType.BinaryMime,
                            _ => SmtpBodyType.None,
                        };
                        if (body == SmtpBodyType.None)
                        {
                            return Syntax("Invalid BODY parameter");
                        }

                        break;
                    case "SMTPUTF8": // RFC 6531 §3.4: no value
                        if (smtpUtf8 || value is not null)
                        {
                            return Syntax("Invalid SMTPUTF8 parameter");
                        }

                        smtpUtf8 = true;
                        break;
                    default:
                        break; // kept for the server to refuse with 555 (RFC 5321 §4.1.1.11)
                }
            }

            (parameters ??= []).Add(new SmtpParameter(key, value));
        }

        return command with
        {
            Parameters = parameters is null ? [] : parameters,
            DeclaredSize = size,
            Body = body,
            RequestsSmtpUtf8 = smtpUtf8,
        };
    }

    /// <summary>
    /// Parses "&lt;&gt;" (when <paramref name="allowNull"/>), "&lt;Postmaster&gt;" (when not) or
    /// Path = "&lt;" [ A-d-l ":" ] Mailbox "&gt;" (RFC 5321 §4.1.2). Returns an error reason or null.
    /// </summary>
    private static string? ParsePath(ReadOnlySpan<byte> input, bool allowNull, out SmtpPath? path, out int consumed)
    {
        path = null;
        consumed = 0;
        if (input.IsEmpty || input[0] != (byte)'<')
        {
            return "Address must be enclosed in <>";
        }

        var pos = 1;
        if (pos < input.Length && input[pos] == (byte)'>')
        {
            if (!allowNull)
            {
                return "Null path not allowed here";
            }

            path = SmtpPath.Null;
            consumed = 2;
            return null;
        }

        // RFC 5321 §4.1.1.3 and appendix C: a source route is accepted and ignored.
        if (pos < input.Length && input[pos] == (byte)'@')
        {
            var colon = input.IndexOf((byte)':');
            if (colon < 0)
            {
                return "Invalid source route";
            }

            foreach (var range in input[pos..colon].Split((byte)','))
            {
                var hop = input[pos..colon][range];
                if (hop.Length < 2 || hop[0] != (byte)'@' || !IsDomain(hop[1..], allowUnderscore: false))
                {
                    return "Invalid source route";
                }
            }

            pos = colon + 1;
        }

        var localStart = pos;
        if (pos < input.Length && input[pos] == (byte)'"')
        {
            // Quoted-string: qtextSMTP = %d32-33 / %d35-91 / %d93-126 (and UTF-8, RFC 6531 §3.3);
            // quoted-pairSMTP = "\" %d32-126.
            pos++;
            while (true)
            {
                if (pos >= input.Length)
                {
                    return "Unterminated quoted local part";
                }

                var b = input[pos];
                if (b == (byte)'"')
                {
                    pos++;
                    break;
                }

                if (b == (byte)'\\')
                {
                    if (pos + 1 >= input.Length || input[pos + 1] < 32 || input[pos + 1] > 126)
                    {
                        return "Invalid quoted local part";
                    }

                    pos += 2;
                    continue;
                }

                if (b < 32 || b == 127)
                {
                    return "Invalid quoted local part";
                }

                pos++;
            }
        }
        else
        {
            // Dot-string = Atom *("." Atom).
            var atomStart = pos;
            while (pos < input.Length && (IsAtext(input[pos]) || input[pos] == (byte)'.'))
            {
                pos++;
            }

            if (!IsDotString(input[atomStart..pos]))
            {
                return "Invalid local part";
            }
        }

        var localPart = input[localStart..pos];
        if (localPart.Length > MaxLocalPartLength)
        {
            return "Local part too long";
        }

        ReadOnlySpan<byte> domain = [];
        if (pos < input.Length && input[pos] == (byte)'>')
        {
            // RFC 5321 §4.1.1.3: RCPT TO:<Postmaster> needs no domain.
            if (allowNull || !Ascii.EqualsIgnoreCase(localPart, "Postmaster"u8))
            {
                return "Address needs a domain";
            }
        }
        else
        {
            if (pos >= input.Length || input[pos] != (byte)'@')
            {
                return "Invalid address";
            }

            pos++;
            var domainStart = pos;
            if (pos < input.Length && input[pos] == (byte)'[')
            {
                var close = input[pos..].IndexOf((byte)']');
                if (close < 0)
                {
                    return "Invalid address literal";
                }

                pos += close + 1;
                if (!IsAddressLiteral(input[domainStart..pos]))
                {
                    return "Invalid address literal";
                }
            }
            else
            {
                while (pos < input.Length && input[pos] != (byte)'>' && input[pos] != (byte)' ')
                {
                    pos++;
                }

                if (!IsDomain(input[domainStart..pos], allowUnderscore: false))
                {
                    return "Invalid domain";
                }
            }

            domain = input[domainStart..pos];
            if (pos >= input.Length || input[pos] != (byte)'>')
            {
                return "Address must be enclosed in <>";
            }
        }

        pos++; // '>'
        if (pos > MaxPathLength)
        {
            return "Address too long";
        }

        var address = input[..pos];
        if (!Utf8.IsValid(address))
        {
            return "Invalid UTF-8 in address";
        }

        var isUtf8 = !Ascii.IsValid(localPart) || !Ascii.IsValid(domain);
        path = new SmtpPath(Encoding.UTF8.GetString(localPart), Encoding.UTF8.GetString(domain), isUtf8);
        consumed = pos;
        return null;
    }

    private static bool IsDotString(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var range in text.Split((byte)'.'))
        {
            if (text[range].IsEmpty)
            {
                return false; // leading, trailing or doubled dot
            }
        }

        return true;
    }

    /// <summary>Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str] or a U-label (RFC 6531 §3.3).</summary>
    private static bool IsDomain(ReadOnlySpan<byte> text, bool allowUnderscore)
    {
        if (text.IsEmpty || text.Length > MaxDomainLength)
        {
            return false;
        }

        foreach (var range in text.Split((byte)'.'))
        {
            var label = text[range];
            if (label.IsEmpty || label.Length > MaxLabelLength || label[0] == (byte)'-' || label[^1] == (byte)'-')
            {
                return false;
            }

            foreach (var b in label)
            {
                var ok = b >= 0x80 || char.IsAsciiLetterOrDigit((char)b) || b == (byte)'-' || (allowUnderscore && b == (byte)'_');
                if (!ok)
                {
                    return false;
                }
            }
        }

        return Utf8.IsValid(text);
    }

    /// <summary>address-literal = "[" ( IPv4-address-literal / IPv6-address-literal ) "]" (RFC 5321 §4.1.3).</summary>
    private static bool IsAddressLiteral(ReadOnlySpan<byte> text)
    {
        if (text.Length < 3 || text[0] != (byte)'[' || text[^1] != (byte)']')
        {
            return false;
        }

        var inner = text[1..^1];
        if (inner.Length > 5 && Ascii.EqualsIgnoreCase(inner[..5], "IPv6:"u8))
        {
            var v6 = inner[5..];
            // Zone ids ("%eth0") are not part of IPv6-addr (RFC 5321 §4.1.3).
            return v6.IndexOf((byte)'%') < 0
                && v6.Length <= 45
                && IPAddress.TryParse(v6, out var address)
                && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        // IPv4-address-literal = Snum 3("." Snum); Snum = 1*3DIGIT representing 0-255.
        var parts = 0;
        foreach (var range in inner.Split((byte)'.'))
        {
            var part = inner[range];
            if (++parts > 4 || !TryParseDigits(part, out var value) || part.Length > 3 || value > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    private static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        // 18 digits always fit in a long; RFC 1870 allows 20 but no message is that large.
        if (digits.IsEmpty || digits.Length > 18)
        {
            return false;
        }

        foreach (var b in digits)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static bool TryText(ReadOnlySpan<byte> args, out string text)
    {
        if (!Utf8.IsValid(args))
        {
            text = string.Empty;
            return false;
        }

        text = Encoding.UTF8.GetString(args);
        return true;
    }

    private static bool ContainsControl(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b < 33 || b == 127)
            {
                return true;
            }
        }

        return false;
    }

    // RFC 5322 §3.2.3 atext, plus any non-ASCII octet (validated as UTF-8 later; RFC 6531 §3.3).
    private static bool IsAtext(byte b) =>
        b >= 0x80 || char.IsAsciiLetterOrDigit((char)b) || AtextSpecials.Contains(b);

    private static void DiscardBuffered(ref SequenceReader<byte> reader)
    {
        // Keep a trailing CR: it may be the first half of the CRLF that ends the line.
        var unread = reader.UnreadSequence;
        var keep = unread.Length > 0 && unread.Slice(unread.Length - 1).FirstSpan[0] == (byte)'\r' ? 1 : 0;
        reader.Advance(unread.Length - keep);
    }

    private static SmtpCommand Syntax(string reason) =>
        new() { Kind = SmtpCommandKind.Syntax, ErrorReason = reason };

    private static SmtpCommand TooLong() =>
        new() { Kind = SmtpCommandKind.LineTooLong, ErrorReason = "Line too long" };

    private static readonly SearchValues<byte> AtextSpecials = SearchValues.Create("!#$%&'*+-/=?^_`{|}~"u8);

    private static readonly SearchValues<byte> KeywordChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"u8);

    private static readonly SearchValues<byte> MechanismChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    private static readonly SearchValues<byte> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);
}
