using System.Buffers;
using MimeKit;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// RFC 9051 §7.5.2 BODY and BODYSTRUCTURE from an outline. Media type, subtype and parameter names
/// keep the case the message used (as Dovecot does); sizes are the exact encoded body bytes and
/// line counts are the LF count of those bytes.
/// </summary>
internal static class BodyStructureWriter
{
    public static void Write(OutlinePart part, ReadOnlySpan<byte> message, bool extensible, IBufferWriter<byte> output)
    {
        if (part.IsMultipart)
        {
            WriteMultipart(part, message, extensible, output);
        }
        else
        {
            WriteSinglePart(part, message, extensible, output);
        }
    }

    private static void WriteMultipart(OutlinePart part, ReadOnlySpan<byte> message, bool extensible, IBufferWriter<byte> output)
    {
        ImapWire.WriteRaw(output, "("u8);
        if (part.Children.Count == 0)
        {
            // RFC 9051 needs 1*body; Dovecot stands an empty text part in for a multipart without parts.
            ImapWire.WriteRaw(output, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)"u8);
        }

        foreach (var child in part.Children)
        {
            Write(child, message, extensible, output);
        }

        var type = part.Entity.ContentType;
        ImapWire.WriteRaw(output, " "u8);
        ImapWire.WriteString(output, type.MediaSubtype);
        if (extensible)
        {
            ImapWire.WriteRaw(output, " "u8);
            WriteParameters(type.Parameters, output);
            WriteExtensionTail(part.Entity, output);
        }

        ImapWire.WriteRaw(output, ")"u8);
    }

    private static void WriteSinglePart(OutlinePart part, ReadOnlySpan<byte> message, bool extensible, IBufferWriter<byte> output)
    {
        var entity = part.Entity;
        var headers = entity.Headers;
        var type = entity.ContentType;
        var body = Slice(message, part.HeadersEnd, part.End);

        ImapWire.WriteRaw(output, "("u8);
        if (!headers.Contains(HeaderId.ContentType) && type.IsMimeType("text", "plain"))
        {
            // RFC 2045 §5.2: no Content-Type means text/plain; charset=us-ascii.
            ImapWire.WriteRaw(output, "\"text\" \"plain\" (\"charset\" \"us-ascii\")"u8);
        }
        else
        {
            ImapWire.WriteString(output, type.MediaType);
            ImapWire.WriteRaw(output, " "u8);
            ImapWire.WriteString(output, type.MediaSubtype);
            ImapWire.WriteRaw(output, " "u8);
            WriteParameters(type.Parameters, output);
        }

        ImapWire.WriteRaw(output, " "u8);
        EnvelopeWriter.WriteRawValue(headers, HeaderId.ContentId, output);
        ImapWire.WriteRaw(output, " "u8);
        EnvelopeWriter.WriteRawValue(headers, HeaderId.ContentDescription, output);
        ImapWire.WriteRaw(output, " "u8);
        if (headers.Contains(HeaderId.ContentTransferEncoding))
        {
            EnvelopeWriter.WriteRawValue(headers, HeaderId.ContentTransferEncoding, output);
        }
        else
        {
            ImapWire.WriteRaw(output, "\"7BIT\""u8);
        }

        ImapWire.WriteRaw(output, " "u8);
        ImapWire.WriteNumber(output, (ulong)body.Length);

        if (part.IsMessage)
        {
            var inner = part.Children[0];
            ImapWire.WriteRaw(output, " "u8);
            EnvelopeWriter.Write(part.Message!.Headers, output);
            ImapWire.WriteRaw(output, " "u8);
            Write(inner, message, extensible, output);
            ImapWire.WriteRaw(output, " "u8);
            ImapWire.WriteNumber(output, (ulong)body.Count((byte)'\n'));
        }
        else if (type.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            ImapWire.WriteRaw(output, " "u8);
            ImapWire.WriteNumber(output, (ulong)body.Count((byte)'\n'));
        }

        if (extensible)
        {
            ImapWire.WriteRaw(output, " "u8);
            EnvelopeWriter.WriteRawValue(headers, HeaderId.ContentMd5, output);
            WriteExtensionTail(entity, output);
        }

        ImapWire.WriteRaw(output, ")"u8);
    }

    /// <summary>SP body-fld-dsp SP body-fld-lang SP body-fld-loc.</summary>
    private static void WriteExtensionTail(MimeEntity entity, IBufferWriter<byte> output)
    {
        ImapWire.WriteRaw(output, " "u8);
        if (entity.ContentDisposition is { } disposition)
        {
            ImapWire.WriteRaw(output, "("u8);
            ImapWire.WriteString(output, disposition.Disposition);
            ImapWire.WriteRaw(output, " "u8);
            WriteParameters(disposition.Parameters, output);
            ImapWire.WriteRaw(output, ")"u8);
        }
        else
        {
            ImapWire.WriteRaw(output, "NIL"u8);
        }

        ImapWire.WriteRaw(output, " "u8);
        WriteLanguages(entity.Headers, output);
        ImapWire.WriteRaw(output, " "u8);
        EnvelopeWriter.WriteRawValue(entity.Headers, HeaderId.ContentLocation, output);
    }

    /// <summary>body-fld-param: NIL or ("name" "value" ...); MimeKit has merged RFC 2231 continuations.</summary>
    private static void WriteParameters(ParameterList parameters, IBufferWriter<byte> output)
    {
        if (parameters.Count == 0)
        {
            ImapWire.WriteRaw(output, "NIL"u8);
            return;
        }

        ImapWire.WriteRaw(output, "("u8);
        var first = true;
        foreach (var parameter in parameters)
        {
            if (!first)
            {
                ImapWire.WriteRaw(output, " "u8);
            }

            first = false;
            ImapWire.WriteString(output, parameter.Name);
            ImapWire.WriteRaw(output, " "u8);
            EnvelopeWriter.WriteText(parameter.Value ?? string.Empty, output);
        }

        ImapWire.WriteRaw(output, ")"u8);
    }

    /// <summary>body-fld-lang (RFC 3282 Content-Language): a list of the language tags, NIL when absent.</summary>
    private static void WriteLanguages(HeaderList headers, IBufferWriter<byte> output)
    {
        var index = headers.IndexOf(HeaderId.ContentLanguage);
        var tags = index < 0
            ? []
            : headers[index].Value.Split([',', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (tags.Length == 0)
        {
            ImapWire.WriteRaw(output, "NIL"u8);
            return;
        }

        ImapWire.WriteRaw(output, "("u8);
        for (var i = 0; i < tags.Length; i++)
        {
            if (i > 0)
            {
                ImapWire.WriteRaw(output, " "u8);
            }

            ImapWire.WriteString(output, tags[i]);
        }

        ImapWire.WriteRaw(output, ")"u8);
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> message, long start, long end)
    {
        var s = (int)Math.Clamp(start, 0, message.Length);
        var e = (int)Math.Clamp(end, s, message.Length);
        return message[s..e];
    }
}
