using System.Buffers;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// Renders FETCH data items of one message (RFC 9051 §7.5.2) from its exact bytes, with MimeKit
/// parsing the MIME structure (never hand-parsed). Pure: bytes in, bytes out.
/// </summary>
public interface IMessageRenderer
{
    /// <summary>Writes the ENVELOPE list, e.g. <c>("date" "subject" ((NIL NIL "a" "b.c")) ...)</c>.</summary>
    void WriteEnvelope(ReadOnlyMemory<byte> message, IBufferWriter<byte> output);

    /// <summary>Writes BODYSTRUCTURE (with extension data) or BODY (without).</summary>
    void WriteBodyStructure(ReadOnlyMemory<byte> message, bool extensible, IBufferWriter<byte> output);

    /// <summary>
    /// The bytes of a section (before any partial is applied); null when the part does not exist
    /// (the server then returns an empty string, RFC 9051 §6.4.5). With <paramref name="binary"/>
    /// the content transfer encoding is removed (RFC 3516); <paramref name="unknownEncoding"/> then
    /// reports an encoding that cannot be decoded ([UNKNOWN-CTE]).
    /// </summary>
    ReadOnlyMemory<byte>? GetSection(ReadOnlyMemory<byte> message, BodySection section, bool binary, out bool unknownEncoding);
}
