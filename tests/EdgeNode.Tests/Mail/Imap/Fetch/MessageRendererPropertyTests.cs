using System.Buffers;
using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using MimeKit;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch;

public sealed class MessageRendererPropertyTests
{
    private static readonly MessageRenderer Renderer = new();

    private static readonly Gen<string> Line =
        Gen.Char["abcxyz -=.:éü"].Array[0, 90].Select(chars => new string(chars));

    private static readonly Gen<string> Text = Line.Array[1, 6].Select(lines => string.Join("\r\n", lines) + "\r\n");

    private static readonly Gen<ContentEncoding> Encodings =
        OneOf(ContentEncoding.Default, ContentEncoding.EightBit, ContentEncoding.Base64, ContentEncoding.QuotedPrintable);

    private static readonly Gen<MimeEntity> Leaf = Gen.Select(Text, Encodings, OneOf("plain", "html", "x-data"))
        .Select(MimeEntity (text, encoding, subtype) =>
        {
            var part = new TextPart(subtype) { ContentTransferEncoding = encoding };
            part.SetText(Encoding.UTF8, text);
            return part;
        });

    private static readonly Gen<MimeEntity> Inner = Gen.Frequency(
        (6, Leaf),
        (2, Leaf.Array[1, 3].Select(MimeEntity (parts) => Multipart(parts, "alternative"))),
        (1, Leaf.Select(MimeEntity (body) => new MessagePart { Message = new MimeMessage { Subject = "inner", Body = body } })));

    private static readonly Gen<byte[]> Messages = Inner.Array[1, 4].Select(parts =>
    {
        var message = new MimeMessage { Subject = "random", Body = Multipart(parts, "mixed") };
        message.From.Add(new MailboxAddress("A", "a@example.org"));
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(options, stream);
        return stream.ToArray();
    });

    [Fact]
    public void Header_then_text_is_the_whole_message()
    {
        Messages.Sample(bytes =>
        {
            var header = Get(bytes, new([], SectionText.Header, []));
            var text = Get(bytes, new([], SectionText.Text, []));
            Assert.Equal(bytes, header.Concat(text).ToArray());
        }, iter: 300);
    }

    [Fact]
    public void Parts_with_their_boundaries_rebuild_the_multipart_body()
    {
        Messages.Sample(bytes =>
        {
            var message = MimeMessage.Load(new MemoryStream(bytes));
            var multipart = Assert.IsType<Multipart>(message.Body);
            var rebuilt = new StringBuilder();
            for (var n = 1; n <= multipart.Count; n++)
            {
                rebuilt.Append("--").Append(multipart.Boundary).Append("\r\n")
                    .Append(Encoding.UTF8.GetString(Get(bytes, new([n], SectionText.Mime, []))))
                    .Append(Encoding.UTF8.GetString(Get(bytes, new([n], SectionText.All, []))))
                    .Append("\r\n");
            }

            rebuilt.Append("--").Append(multipart.Boundary).Append("--");
            Assert.Contains(rebuilt.ToString(), Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            Assert.Null(Renderer.GetSection(bytes, new([multipart.Count + 1], SectionText.All, []), false, out _));
        }, iter: 300);
    }

    [Fact]
    public void Binary_sections_equal_mimekit_decoded_content()
    {
        Messages.Sample(bytes =>
        {
            var message = MimeMessage.Load(new MemoryStream(bytes));
            var multipart = Assert.IsType<Multipart>(message.Body);
            for (var n = 1; n <= multipart.Count; n++)
            {
                if (multipart[n - 1] is MimePart part)
                {
                    using var decoded = new MemoryStream();
                    part.Content!.DecodeTo(decoded);
                    var expected = decoded.ToArray();
                    var actual = Renderer.GetSection(bytes, new([n], SectionText.All, []), binary: true, out var unknown)!.Value.ToArray();
                    Assert.False(unknown);

                    // MimeKit's own content keeps the CRLF that RFC 2046 gives to the next boundary.
                    Assert.Equal(TrimNewLine(expected), TrimNewLine(actual));
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void Body_structure_sizes_match_the_sections()
    {
        Messages.Sample(bytes =>
        {
            var message = MimeMessage.Load(new MemoryStream(bytes));
            var multipart = Assert.IsType<Multipart>(message.Body);
            var structure = Render(output => Renderer.WriteBodyStructure(bytes, false, output));
            for (var n = 1; n <= multipart.Count; n++)
            {
                var section = Get(bytes, new([n], SectionText.All, []));
                if (multipart[n - 1] is TextPart)
                {
                    var expected = $"\" {section.Length} {section.Count(b => b == (byte)'\n')})";
                    Assert.Contains(expected, structure, StringComparison.Ordinal);
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        string[] tokens =
        [
            "Content-Type: multipart/mixed; boundary=x\r\n", "Content-Type: message/rfc822\r\n", "Content-Type: text/plain\r\n",
            "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "Content-Disposition: attachment; filename*0=a\r\n",
            "\r\n", "--x\r\n", "--x--\r\n", "From: a@b\r\n", "To: g: a@b;\r\n", "Cc: \"\r\n", "Subject:", "abc", "=?utf-8?q?x=?=",
            "=", "\n", "\r", "é", "\0", ":", " ", "\t", "=3D", "AAAA", "<", ">", "(", ")", ";", ",",
        ];
        var token = Gen.Frequency(
            (4, Gen.Int[0, tokens.Length - 1].Select(i => Encoding.UTF8.GetBytes(tokens[i]))),
            (1, Gen.Byte.Array[1, 8]));
        var input = token.Array[0, 60].Select(parts => parts.SelectMany(p => p).ToArray());
        int[][] paths = [[], [1], [2], [1, 1], [2, 1], [1, 2, 1], [3]];

        input.Sample(bytes =>
        {
            Render(output => Renderer.WriteEnvelope(bytes, output));
            Render(output => Renderer.WriteBodyStructure(bytes, true, output));
            Render(output => Renderer.WriteBodyStructure(bytes, false, output));
            foreach (var path in paths)
            {
                foreach (var text in Enum.GetValues<SectionText>())
                {
                    var section = new BodySection(path, text, ["From", "subject"]);
                    Renderer.GetSection(bytes, section, binary: text == SectionText.All, out _);
                }
            }

            var search = new MessageSearchText(bytes);
            _ = search.SentDate;
            search.HeaderContains("from", "a");
            search.TextContains("x");
        }, iter: 600);
    }

    private static Gen<T> OneOf<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Multipart Multipart(IEnumerable<MimeEntity> parts, string subtype)
    {
        var multipart = new Multipart(subtype);
        foreach (var part in parts)
        {
            multipart.Add(part);
        }

        return multipart;
    }

    private static byte[] Get(byte[] bytes, BodySection section) =>
        Renderer.GetSection(bytes, section, binary: false, out _)!.Value.ToArray();

    private static string Render(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static byte[] TrimNewLine(byte[] bytes) =>
        bytes.AsSpan().EndsWith("\r\n"u8) ? bytes[..^2] : bytes;
}
