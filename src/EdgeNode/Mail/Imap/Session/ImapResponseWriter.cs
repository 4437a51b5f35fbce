using System.Buffers;
using System.Globalization;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>
/// Response pieces written straight into the output (no per-item strings on the FETCH path):
/// flag lists, date-times, status lines, large literals in chunks.
/// </summary>
internal static class ImapResponseWriter
{
    private const int LiteralChunk = 16 * 1024;

    // RFC 9051 §2.3.2 system flags, in the order Dovecot lists them; one byte string per combination.
    private static readonly byte[][] SystemFlags = BuildSystemFlags();

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => ImapWire.WriteRaw(output, bytes);

    public static void Raw(IBufferWriter<byte> output, string text) => ImapWire.WriteRaw(output, text);

    public static void Number(IBufferWriter<byte> output, ulong value) => ImapWire.WriteNumber(output, value);

    /// <summary><c>tag OK text\r\n</c>; the text may begin with a response code.</summary>
    public static void Tagged(IBufferWriter<byte> output, string tag, string status, string text)
    {
        Raw(output, tag);
        Raw(output, " "u8);
        Raw(output, status);
        Raw(output, " "u8);
        Raw(output, text);
        Raw(output, "\r\n"u8);
    }

    /// <summary><c>* text\r\n</c>.</summary>
    public static void Untagged(IBufferWriter<byte> output, string text)
    {
        Raw(output, "* "u8);
        Raw(output, text);
        Raw(output, "\r\n"u8);
    }

    /// <summary><c>(\Seen kw)</c>: system flags then keywords.</summary>
    public static void FlagList(IBufferWriter<byte> output, MessageFlags flags, IReadOnlyList<string> keywords)
    {
        Raw(output, "("u8);
        var system = SystemFlags[(int)flags & 31];
        Raw(output, system);
        for (var i = 0; i < keywords.Count; i++)
        {
            if (system.Length > 0 || i > 0)
            {
                Raw(output, " "u8);
            }

            Raw(output, keywords[i]);
        }

        Raw(output, ")"u8);
    }

    /// <summary>date-time (RFC 9051 §9): <c>"dd-Mon-yyyy hh:mm:ss +hhmm"</c> with a space-padded day.</summary>
    public static void DateTime(IBufferWriter<byte> output, DateTimeOffset value)
    {
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        Raw(output, string.Create(CultureInfo.InvariantCulture, $"\"{value.Day,2}-{Months[value.Month - 1]}-{value.Year:D4} {value.Hour:D2}:{value.Minute:D2}:{value.Second:D2} {sign}{abs.Hours:D2}{abs.Minutes:D2}\""));
    }

    /// <summary>A literal in chunks, so a large body never needs one huge buffer segment.</summary>
    public static void Literal(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes, bool binary = false)
    {
        Raw(output, binary ? "~{"u8 : "{"u8);
        Number(output, (ulong)bytes.Length);
        Raw(output, "}\r\n"u8);
        while (bytes.Length > 0)
        {
            var n = Math.Min(bytes.Length, LiteralChunk);
            var span = output.GetSpan(n);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary>A mailbox name as a string (quoted when it can be, a literal otherwise).</summary>
    public static void MailboxName(IBufferWriter<byte> output, string name) => ImapWire.WriteString(output, name);

    private static byte[][] BuildSystemFlags()
    {
        var table = new byte[32][];
        for (var i = 0; i < 32; i++)
        {
            var names = new List<string>();
            var f = (MessageFlags)i;
            if (f.HasFlag(MessageFlags.Answered))
            {
                names.Add("\\Answered");
            }

            if (f.HasFlag(MessageFlags.Flagged))
            {
                names.Add("\\Flagged");
            }

            if (f.HasFlag(MessageFlags.Deleted))
            {
                names.Add("\\Deleted");
            }

            if (f.HasFlag(MessageFlags.Seen))
            {
                names.Add("\\Seen");
            }

            if (f.HasFlag(MessageFlags.Draft))
            {
                names.Add("\\Draft");
            }

            table[i] = System.Text.Encoding.ASCII.GetBytes(string.Join(' ', names));
        }

        return table;
    }
}
