using System.Buffers;
using MimeKit;
using MimeKit.Encodings;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// Renders FETCH data from a message's exact bytes. MimeKit parses the structure (entity offsets
/// from its parser, header fields from its reader); the bytes returned are always slices of the
/// input, so sizes and sections agree byte for byte. Stateless and safe to share between sessions.
/// </summary>
public sealed class MessageRenderer : IMessageRenderer
{
    /// <inheritdoc/>
    public void WriteEnvelope(ReadOnlyMemory<byte> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);

        // The envelope needs only the top-level header block.
        EnvelopeWriter.Write(MessageOutline.ParseHeaders(message), output);
    }

    /// <inheritdoc/>
    public void WriteBodyStructure(ReadOnlyMemory<byte> message, bool extensible, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var outline = MessageOutline.Parse(message);
        BodyStructureWriter.Write(outline.Root, message.Span, extensible, output);
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte>? GetSection(ReadOnlyMemory<byte> message, BodySection section, bool binary, out bool unknownEncoding)
    {
        ArgumentNullException.ThrowIfNull(section);
        unknownEncoding = false;
        if (section.Part.Count == 0)
        {
            // Top-level sections need no MIME parse: BODY[] is the input itself.
            return section.Text == SectionText.All ? message : HeaderSection(message, section);
        }

        var outline = MessageOutline.Parse(message);
        var part = outline.Resolve(section.Part);
        if (part is null)
        {
            return null;
        }

        switch (section.Text)
        {
            case SectionText.All:
                var body = Slice(message, part.HeadersEnd, part.End);
                return binary ? Decode(part, body, out unknownEncoding) : body;

            case SectionText.Mime:
                // RFC 9051 §6.4.5: the MIME header of the part, its blank line included.
                return Slice(message, part.Begin, part.HeadersEnd);

            default:
                // HEADER, HEADER.FIELDS and TEXT after a part number name an encapsulated message.
                if (!part.IsMessage)
                {
                    return null;
                }

                var inner = part.Children[0];
                return HeaderSection(Slice(message, inner.Begin, part.End), section);
        }
    }

    /// <summary>HEADER, HEADER.FIELDS (.NOT) or TEXT of one message's bytes.</summary>
    private static ReadOnlyMemory<byte> HeaderSection(ReadOnlyMemory<byte> message, BodySection section)
    {
        var block = HeaderBlock.Read(message);
        switch (section.Text)
        {
            case SectionText.Header:
                return message[..block.BodyStart];
            case SectionText.Text:
                return message[block.BodyStart..];
            case SectionText.HeaderFields:
            case SectionText.HeaderFieldsNot:
                return SelectFields(message.Span, block, section.Fields, section.Text == SectionText.HeaderFieldsNot);
            default:
                // MIME names a part's header; on a whole message it is the header (Dovecot's reading).
                return message[..block.BodyStart];
        }
    }

    /// <summary>
    /// RFC 9051 §6.4.5 HEADER.FIELDS: the matching fields, each with its folded continuation lines,
    /// in message order, then the blank line.
    /// </summary>
    private static byte[] SelectFields(ReadOnlySpan<byte> message, HeaderBlock block, IReadOnlyList<string> names, bool not)
    {
        var size = 2;
        for (var i = 0; i < block.Count; i++)
        {
            if (Listed(block.FieldName(i), names) != not)
            {
                var (start, end) = block.FieldRange(i);
                size += end - start + (EndsWithNewLine(message[start..end]) ? 0 : 2);
            }
        }

        var result = new byte[size];
        var n = 0;
        for (var i = 0; i < block.Count; i++)
        {
            if (Listed(block.FieldName(i), names) != not)
            {
                var (start, end) = block.FieldRange(i);
                var field = message[start..end];
                field.CopyTo(result.AsSpan(n));
                n += field.Length;
                if (!EndsWithNewLine(field))
                {
                    // A last field cut off by the end of the message still ends its line.
                    "\r\n"u8.CopyTo(result.AsSpan(n));
                    n += 2;
                }
            }
        }

        "\r\n"u8.CopyTo(result.AsSpan(n));
        return result;
    }

    private static bool EndsWithNewLine(ReadOnlySpan<byte> field) => field.Length > 0 && field[^1] == (byte)'\n';

    private static bool Listed(string field, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (field.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 3516: the part's content with its transfer encoding removed.</summary>
    private static ReadOnlyMemory<byte>? Decode(OutlinePart part, ReadOnlyMemory<byte> body, out bool unknownEncoding)
    {
        unknownEncoding = false;
        if (part.IsMultipart || part.IsMessage)
        {
            // RFC 2045 §6.4: composite types are only ever 7bit, 8bit or binary.
            return body;
        }

        var headers = part.Entity.Headers;
        var index = headers.IndexOf(HeaderId.ContentTransferEncoding);
        if (index < 0)
        {
            return body;
        }

        IMimeDecoder? decoder = headers[index].Value.Trim().ToLowerInvariant() switch
        {
            "7bit" or "8bit" or "binary" or "" => null,
            "base64" => new Base64Decoder(),
            "quoted-printable" => new QuotedPrintableDecoder(),
            "x-uuencode" or "uuencode" or "x-uue" => new UUDecoder(),
            _ => UnknownEncoding(out unknownEncoding),
        };

        if (unknownEncoding)
        {
            return null;
        }

        if (decoder is null)
        {
            return body;
        }

        var input = body.ToArray();
        var decoded = new byte[decoder.EstimateOutputLength(input.Length)];
        var length = decoder.Decode(input, 0, input.Length, decoded);
        return decoded.AsMemory(0, length);
    }

    private static IMimeDecoder? UnknownEncoding(out bool unknownEncoding)
    {
        unknownEncoding = true;
        return null;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> message, long start, long end)
    {
        var s = (int)Math.Clamp(start, 0, message.Length);
        var e = (int)Math.Clamp(end, s, message.Length);
        return message[s..e];
    }
}
