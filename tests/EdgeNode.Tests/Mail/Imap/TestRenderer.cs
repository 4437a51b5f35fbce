using System.Buffers;
using System.Text;
using EPostEdge.EdgeNode.Mail.Imap;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>
/// A trivial <see cref="IMessageRenderer"/> for session tests that do not check ENVELOPE or
/// BODYSTRUCTURE text: whole-message HEADER/TEXT split at the blank line, fixed structure strings.
/// </summary>
internal sealed class TestRenderer : IMessageRenderer
{
    public void WriteEnvelope(ReadOnlyMemory<byte> message, IBufferWriter<byte> output) => ImapWire.WriteRaw(output, "(ENVELOPE)"u8);

    public void WriteBodyStructure(ReadOnlyMemory<byte> message, bool extensible, IBufferWriter<byte> output) =>
        ImapWire.WriteRaw(output, extensible ? "(STRUCTURE EXT)"u8 : "(STRUCTURE)"u8);

    public ReadOnlyMemory<byte>? GetSection(ReadOnlyMemory<byte> message, BodySection section, bool binary, out bool unknownEncoding)
    {
        unknownEncoding = false;
        if (section.Part.Count > 0 && section.Part[0] != 1)
        {
            return null;
        }

        var split = message.Span.IndexOf("\r\n\r\n"u8);
        var headerEnd = split < 0 ? message.Length : split + 4;
        return section.Text switch
        {
            SectionText.Header => message[..headerEnd],
            SectionText.Text => message[headerEnd..],
            SectionText.HeaderFields => Encoding.ASCII.GetBytes(string.Join("", Encoding.UTF8.GetString(message[..headerEnd].Span)
                .Split("\r\n").Where(l => section.Fields.Any(f => l.StartsWith(f + ":", StringComparison.OrdinalIgnoreCase)))
                .Select(l => l + "\r\n")) + "\r\n"),
            _ => section.Part.Count > 0 ? message[headerEnd..] : message,
        };
    }
}
