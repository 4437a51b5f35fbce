using System.Buffers;
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
    internal const int MaxLocalPartLength = 64;
    internal const int MaxDomainLength = 255;
    internal const int MaxPathLength = 256;
    internal const int MaxLabelLength = 63; // RFC 1035 §2.3.4
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
            ? SmtpPathParser.IsAddressLiteral(args)
            : SmtpPathParser.IsDomain(args, allowUnderscore: true);
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
        var reason = SmtpPathParser.ParsePath(rest, isMail, out var path, out var consumed);
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

    internal static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value)
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

    private static readonly SearchValues<byte> KeywordChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"u8);

    private static readonly SearchValues<byte> MechanismChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    private static readonly SearchValues<byte> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);
}
