using System.Buffers;
using System.Text;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch;

/// <summary>Hand-written messages (CRLF, as stored) covering the MIME shapes FETCH must render.</summary>
internal static class FetchSamples
{
    /// <summary>The header section of <see cref="Simple"/> (with its blank line): BODY[HEADER].</summary>
    public const string SimpleHeader =
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n" +
        "From: Terry Gray <gray@cac.washington.edu>\r\n" +
        "Subject: IMAP4rev2 WG mtg summary and minutes\r\n" +
        "To: imap@cac.washington.edu\r\n" +
        "Cc: minutes@CNRI.Reston.VA.US,\r\n" +
        " \"John Klensin\" <KLENSIN@MIT.EDU>\r\n" +
        "Message-Id: <B27397-0100000@cac.washington.edu>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
        "\r\n";

    /// <summary>The body of <see cref="Simple"/>: BODY[TEXT].</summary>
    public const string SimpleText = "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\nSecond line.\r\n";

    public const string Simple = SimpleHeader + SimpleText;

    public const string Alternative =
        "From: a@example.org\r\n" +
        "To: b@example.org\r\n" +
        "Subject: alt\r\n" +
        "Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
        "\r\n" +
        "preamble\r\n" +
        "--b1\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "plain one\r\n" +
        "plain two\r\n" +
        "--b1\r\n" +
        "Content-Type: text/html; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "<p>caf=C3=A9</p>\r\n" +
        "--b1--\r\n" +
        "epilogue\r\n";

    public const string Mixed =
        "From: a@example.org\r\n" +
        "To: b@example.org\r\n" +
        "Subject: files\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"=_m\"\r\n" +
        "Content-Language: en\r\n" +
        "\r\n" +
        "--=_m\r\n" +
        "Content-Type: text/plain\r\n" +
        "\r\n" +
        "see attached\r\n" +
        "--=_m\r\n" +
        "Content-Type: application/octet-stream; name=\"a.bin\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=\"a.bin\"\r\n" +
        "Content-ID: <part2@example.org>\r\n" +
        "Content-Description: some bytes\r\n" +
        "\r\n" +
        "AAECAwQFBgcICQ==\r\n" +
        "--=_m--\r\n";

    public const string Nested =
        "From: outer@example.org\r\n" +
        "Subject: fwd\r\n" +
        "Content-Type: multipart/mixed; boundary=\"o\"\r\n" +
        "\r\n" +
        "--o\r\n" +
        "Content-Type: text/plain\r\n" +
        "\r\n" +
        "see below\r\n" +
        "--o\r\n" +
        "Content-Type: message/rfc822\r\n" +
        "\r\n" +
        "From: inner@example.org\r\n" +
        "Subject: inner\r\n" +
        "Content-Type: multipart/alternative; boundary=\"i\"\r\n" +
        "\r\n" +
        "--i\r\n" +
        "Content-Type: text/plain\r\n" +
        "\r\n" +
        "inner plain\r\n" +
        "--i\r\n" +
        "Content-Type: text/html\r\n" +
        "\r\n" +
        "<b>inner</b>\r\n" +
        "--i--\r\n" +
        "\r\n" +
        "--o--\r\n";

    public const string Groups =
        "From: Alice <alice@example.org>\r\n" +
        "To: undisclosed-recipients:;\r\n" +
        "Cc: Team: bob@example.org, \"Carol C\" <carol@example.org>;, dave@example.org\r\n" +
        "Subject: groups\r\n" +
        "\r\n" +
        "body\r\n";

    public const string Bare = "X-Nothing: here\r\n\r\nno envelope headers\r\n";

    public const string Encoded =
        "From: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@example.org>\r\n" +
        "Sender: =?UTF-8?B?SsO2cmc=?= <joerg@example.org>\r\n" +
        "Reply-To: Plain Name <plain@example.org>\r\n" +
        "Subject: =?UTF-8?Q?caf=C3=A9?= and\r\n" +
        "\tmore\r\n" +
        "In-Reply-To: <x@y>\r\n" +
        "\r\n" +
        "body\r\n";

    public const string EightBit =
        "From: Jörg <jörg@example.org>\r\n" +
        "Subject: Grüße\r\n" +
        "\r\n" +
        "Grüße aus Köln\r\n";

    public const string SinglePartBase64 =
        "Subject: one\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "aMOpbGxv\r\n";

    public const string UnknownEncoding =
        "Subject: odd\r\n" +
        "Content-Type: text/plain\r\n" +
        "Content-Transfer-Encoding: x-mystery\r\n" +
        "\r\n" +
        "?\r\n";

    public static ReadOnlyMemory<byte> Bytes(string message) => Encoding.UTF8.GetBytes(message);

    public static string Envelope(string message)
    {
        var output = new ArrayBufferWriter<byte>();
        new MessageRenderer().WriteEnvelope(Bytes(message), output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    public static string Structure(string message, bool extensible)
    {
        var output = new ArrayBufferWriter<byte>();
        new MessageRenderer().WriteBodyStructure(Bytes(message), extensible, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    public static string? Section(string message, BodySection section, bool binary = false)
    {
        var result = new MessageRenderer().GetSection(Bytes(message), section, binary, out _);
        return result is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : null;
    }

    public static BodySection Part(params int[] part) => new(part, SectionText.All, []);
}
