using System.Text;
using MimeKit;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// A message built as exact bytes, so what the server returns can be compared byte for byte.
/// MimeKit keeps raw header and body bytes of a parsed message and writes them back unchanged;
/// <see cref="Load"/> checks that before a test relies on it.
/// </summary>
internal sealed class TestMessage
{
    private static readonly FormatOptions CrLf = CreateCrLf();

    private TestMessage(string messageId, string subject, byte[] raw)
    {
        MessageId = messageId;
        Subject = subject;
        Raw = raw;
    }

    /// <summary>Without the angle brackets, as MimeKit reports it.</summary>
    public string MessageId { get; }

    public string Subject { get; }

    public byte[] Raw { get; }

    /// <summary>A small text message; the body has lines that SMTP must dot-stuff (RFC 5321 §4.5.2).</summary>
    public static TestMessage Create(string from, string to, string subject, int bodyLines = 20)
    {
        var id = $"{Guid.NewGuid():N}@test.home.lan";
        var text = new StringBuilder();
        text.Append("From: <").Append(from).Append(">\r\n")
            .Append("To: <").Append(to).Append(">\r\n")
            .Append("Subject: ").Append(subject).Append("\r\n")
            .Append("Date: Wed, 02 Dec 2026 01:00:00 +0000\r\n")
            .Append("Message-ID: <").Append(id).Append(">\r\n")
            .Append("MIME-Version: 1.0\r\n")
            .Append("Content-Type: text/plain; charset=us-ascii\r\n")
            .Append("Content-Transfer-Encoding: 7bit\r\n")
            .Append("\r\n")
            .Append("Hello from the end-to-end test.\r\n")
            .Append(".\r\n")
            .Append("..two dots\r\n")
            .Append(".one dot\r\n")
            .Append("\r\n");
        for (var i = 0; i < bodyLines; i++)
        {
            text.Append("line ").Append(i).Append(": the quick brown fox jumps over the lazy dog\r\n");
        }

        return new TestMessage(id, subject, Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>A large message: <paramref name="bodyBytes"/> of 76-character lines (RFC 5322 §2.1.1 limits).</summary>
    public static TestMessage CreateLarge(string from, string to, string subject, int bodyBytes, int seed)
    {
        var id = $"{Guid.NewGuid():N}@test.home.lan";
        bodyBytes -= bodyBytes % 78; // whole 78-byte lines, each ending in CRLF
        var header = $"From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: Wed, 02 Dec 2026 01:00:00 +0000\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
        var raw = new byte[header.Length + bodyBytes];
        Encoding.ASCII.GetBytes(header, raw);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ ";
        var state = (uint)seed | 1;
        for (var i = header.Length; i < raw.Length; i++)
        {
            var column = (i - header.Length) % 78;
            if (column == 76)
            {
                raw[i] = (byte)'\r';
            }
            else if (column == 77)
            {
                raw[i] = (byte)'\n';
            }
            else
            {
                // xorshift32: deterministic filler, no Random (seams rule).
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                raw[i] = (byte)alphabet[(int)(state % (uint)alphabet.Length)];
            }
        }
        return new TestMessage(id, subject, raw);
    }

    /// <summary>Parses <see cref="Raw"/> for MailKit and checks MimeKit would write the same bytes.</summary>
    public MimeMessage Load()
    {
        var message = MimeMessage.Load(new MemoryStream(Raw));
        using var written = new MemoryStream();
        message.WriteTo(CrLf, written);
        Assert.True(Raw.AsSpan().SequenceEqual(written.ToArray()), "test setup: MimeKit does not write this message back byte-identical");
        return message;
    }

    private static FormatOptions CreateCrLf()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }
}
