using System.Buffers;
using System.Text;

namespace EPostEdge.EdgeNode.Mail.Imap;

/// <summary>
/// Writes IMAP strings (RFC 9051 §4.3): a quoted string when the text allows it, a literal
/// otherwise; NIL for an absent nstring. Shared by the response writer and the FETCH renderer.
/// </summary>
public static class ImapWire
{
    /// <summary>Appends raw ASCII/UTF-8 bytes.</summary>
    public static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    /// <summary>Appends text as UTF-8 without quoting (atoms, numbers, fixed response text).</summary>
    public static void WriteRaw(IBufferWriter<byte> output, string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        var span = output.GetSpan(count);
        Encoding.UTF8.GetBytes(text, span);
        output.Advance(count);
    }

    /// <summary>Appends a decimal number.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written);
        output.Advance(written);
    }

    /// <summary>nstring: NIL for null, else <see cref="WriteString"/>.</summary>
    public static void WriteNString(IBufferWriter<byte> output, string? text)
    {
        if (text is null)
        {
            WriteRaw(output, "NIL"u8);
        }
        else
        {
            WriteString(output, text);
        }
    }

    /// <summary>
    /// string: quoted when every character is a 7-bit TEXT-CHAR (no CR, LF or NUL; '"' and '\' escaped),
    /// a literal otherwise (8-bit text is sent as a UTF-8 literal, which IMAP4rev1 clients accept too).
    /// </summary>
    public static void WriteString(IBufferWriter<byte> output, string text)
    {
        if (CanQuote(text))
        {
            var span = output.GetSpan((text.Length * 2) + 2);
            var n = 0;
            span[n++] = (byte)'"';
            foreach (var c in text)
            {
                if (c is '"' or '\\')
                {
                    span[n++] = (byte)'\\';
                }

                span[n++] = (byte)c;
            }

            span[n++] = (byte)'"';
            output.Advance(n);
        }
        else
        {
            WriteLiteral(output, Encoding.UTF8.GetBytes(text));
        }
    }

    /// <summary>
    /// string from raw bytes (header values kept byte-exact, 8-bit included): quoted when every byte
    /// is a 7-bit TEXT-CHAR, a literal of the same bytes otherwise.
    /// </summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        if (CanQuote(text))
        {
            var span = output.GetSpan((text.Length * 2) + 2);
            var n = 0;
            span[n++] = (byte)'"';
            foreach (var b in text)
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    span[n++] = (byte)'\\';
                }

                span[n++] = b;
            }

            span[n++] = (byte)'"';
            output.Advance(n);
        }
        else
        {
            WriteLiteral(output, text);
        }
    }

    /// <summary>A synchronising-form literal as servers send it: <c>{n}\r\n</c> then the bytes.</summary>
    public static void WriteLiteral(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteRaw(output, "{"u8);
        WriteNumber(output, (ulong)bytes.Length);
        WriteRaw(output, "}\r\n"u8);
        WriteRaw(output, bytes);
    }

    private static bool CanQuote(string text)
    {
        if (text.Length > 1024)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is '\0' or '\r' or '\n' || c > 0x7e)
            {
                return false;
            }
        }

        return true;
    }

    private static bool CanQuote(ReadOnlySpan<byte> text)
    {
        if (text.Length > 1024)
        {
            return false;
        }

        foreach (var b in text)
        {
            if (b is 0 or (byte)'\r' or (byte)'\n' || b > 0x7e)
            {
                return false;
            }
        }

        return true;
    }
}
