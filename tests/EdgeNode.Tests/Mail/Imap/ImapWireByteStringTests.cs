using System.Buffers;
using System.Text;
using EPostEdge.EdgeNode.Mail.Imap;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

public sealed class ImapWireByteStringTests
{
    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("", "\"\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("line\r\nbreak", "{11}\r\nline\r\nbreak")]
    [InlineData("grüß", "{6}\r\ngrüß")]
    public void Bytes_are_quoted_when_7bit_text_else_sent_as_the_same_bytes_in_a_literal(string text, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        ImapWire.WriteString(output, Encoding.UTF8.GetBytes(text).AsSpan());
        Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Invalid_utf8_survives_byte_exact()
    {
        var output = new ArrayBufferWriter<byte>();
        ImapWire.WriteString(output, new byte[] { 0xFF, 0x41 });
        Assert.Equal("{2}\r\n"u8.ToArray().Concat(new byte[] { 0xFF, 0x41 }), output.WrittenSpan.ToArray());
    }
}
