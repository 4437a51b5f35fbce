using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// Reverse- and forward-paths of MAIL and RCPT (RFC 5321 §4.1.2): mailboxes, quoted local
/// parts, domains, address literals, source routes. Split from <see cref="SmtpCommandParser"/>.
/// </summary>
internal static class SmtpPathParser
{
    private static readonly SearchValues<byte> AtextSpecials = SearchValues.Create("!#$%&'*+-/=?^_`{|}~"u8);

    /// <summary>
    /// Parses "&lt;&gt;" (when <paramref name="allowNull"/>), "&lt;Postmaster&gt;" (when not) or
    /// Path = "&lt;" [ A-d-l ":" ] Mailbox "&gt;" (RFC 5321 §4.1.2). Returns an error reason or null.
    /// </summary>
    internal static string? ParsePath(ReadOnlySpan<byte> input, bool allowNull, out SmtpPath? path, out int consumed)
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
        if (localPart.Length > SmtpCommandParser.MaxLocalPartLength)
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
        if (pos > SmtpCommandParser.MaxPathLength)
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

    internal static bool IsDotString(ReadOnlySpan<byte> text)
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
    internal static bool IsDomain(ReadOnlySpan<byte> text, bool allowUnderscore)
    {
        if (text.IsEmpty || text.Length > SmtpCommandParser.MaxDomainLength)
        {
            return false;
        }

        foreach (var range in text.Split((byte)'.'))
        {
            var label = text[range];
            if (label.IsEmpty || label.Length > SmtpCommandParser.MaxLabelLength || label[0] == (byte)'-' || label[^1] == (byte)'-')
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
    internal static bool IsAddressLiteral(ReadOnlySpan<byte> text)
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
            if (++parts > 4 || !SmtpCommandParser.TryParseDigits(part, out var value) || part.Length > 3 || value > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    internal static bool IsAtext(byte b) =>
        b >= 0x80 || char.IsAsciiLetterOrDigit((char)b) || AtextSpecials.Contains(b);
}
