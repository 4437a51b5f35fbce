using System.Text;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// Writes replies: every line but the last is "code-text", the last "code SP text", each ending in
/// CRLF (RFC 5321 §4.2, §4.2.1). With an enhanced status code (RFC 2034 §4, RFC 3463) every line
/// carries it after the code: "250-2.1.0 text".
/// </summary>
public static class SmtpReply
{
    /// <summary>Writes the reply into <paramref name="destination"/> and returns the bytes written.</summary>
    /// <exception cref="ArgumentException">Invalid code, enhanced code or text, or too small a destination.</exception>
    public static int Write(Span<byte> destination, int code, string? enhanced, IReadOnlyList<string> lines)
    {
        var needed = GetByteCount(code, enhanced, lines);
        if (destination.Length < needed)
        {
            throw new ArgumentException($"The reply needs {needed} bytes.", nameof(destination));
        }

        var pos = 0;
        var count = Math.Max(lines.Count, 1);
        for (var i = 0; i < count; i++)
        {
            var text = lines.Count == 0 ? string.Empty : lines[i];
            var last = i == count - 1;
            code.TryFormat(destination[pos..], out var written);
            pos += written;
            var hasContent = enhanced is not null || text.Length > 0;
            if (!last)
            {
                destination[pos++] = (byte)'-';
            }
            else if (hasContent)
            {
                destination[pos++] = (byte)' ';
            }

            if (enhanced is not null)
            {
                pos += Encoding.ASCII.GetBytes(enhanced, destination[pos..]);
                if (text.Length > 0)
                {
                    destination[pos++] = (byte)' ';
                }
            }

            pos += Encoding.UTF8.GetBytes(text, destination[pos..]);
            destination[pos++] = (byte)'\r';
            destination[pos++] = (byte)'\n';
        }

        return pos;
    }

    /// <summary>The reply as a new array.</summary>
    public static byte[] ToArray(int code, string? enhanced, params IReadOnlyList<string> lines)
    {
        var bytes = new byte[GetByteCount(code, enhanced, lines)];
        Write(bytes, code, enhanced, lines);
        return bytes;
    }

    /// <summary>The number of bytes <see cref="Write"/> needs; also validates the arguments.</summary>
    public static int GetByteCount(int code, string? enhanced, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        // RFC 5321 §4.2: reply codes are three digits, first digit 2 to 5.
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        if (enhanced is not null && !IsEnhancedCode(enhanced, code))
        {
            throw new ArgumentException("Expected class.subject.detail with the reply's class (RFC 3463).", nameof(enhanced));
        }

        var total = 0;
        var count = Math.Max(lines.Count, 1);
        for (var i = 0; i < count; i++)
        {
            var text = lines.Count == 0 ? string.Empty : lines[i];
            // A CR or LF in reply text would let it forge further reply lines.
            if (text.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException("Reply text must not contain CR or LF.", nameof(lines));
            }

            var hasContent = enhanced is not null || text.Length > 0;
            total += 3 + (i < count - 1 || hasContent ? 1 : 0) + Encoding.UTF8.GetByteCount(text) + 2;
            if (enhanced is not null)
            {
                total += enhanced.Length + (text.Length > 0 ? 1 : 0);
            }
        }

        return total;
    }

    private static bool IsEnhancedCode(string enhanced, int code)
    {
        // RFC 3463 §2: class "." subject "." detail; class is 2, 4 or 5 and matches the reply code.
        var parts = enhanced.Split('.');
        if (parts.Length != 3 || parts[0].Length != 1 || parts[0][0] - '0' != code / 100 || code / 100 == 3)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit))
            {
                return false;
            }
        }

        return true;
    }
}
