using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using static EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch.FetchSamples;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch;

public sealed class MessageRendererBodyStructureTests
{
    [Fact]
    public void Simple_text_plain_has_size_and_lines()
    {
        // As RFC 9051 §7.5.2's example shape: ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" size lines).
        Assert.Equal("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 69 2)", Structure(Simple, false));
        Assert.Equal("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 69 2 NIL NIL NIL NIL)", Structure(Simple, true));
    }

    [Fact]
    public void Multipart_alternative_excludes_the_crlf_before_each_boundary()
    {
        // "plain one\r\nplain two" is 20 bytes with one LF: the CRLF before "--b1" belongs to the
        // boundary (RFC 2046 §5.1.1), as Dovecot and Cyrus count.
        Assert.Equal(
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 20 1)" +
            "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 16 0) \"alternative\")",
            Structure(Alternative, false));
        Assert.Equal(
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 20 1 NIL NIL NIL NIL)" +
            "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 16 0 NIL NIL NIL NIL) " +
            "\"alternative\" (\"boundary\" \"b1\") NIL NIL NIL)",
            Structure(Alternative, true));
    }

    [Fact]
    public void Multipart_mixed_with_base64_attachment_has_id_description_disposition_language()
    {
        Assert.Equal(
            "((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 12 0)" +
            "(\"application\" \"octet-stream\" (\"name\" \"a.bin\") \"<part2@example.org>\" \"some bytes\" \"base64\" 16) \"mixed\")",
            Structure(Mixed, false));
        Assert.Equal(
            "((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 12 0 NIL NIL NIL NIL)" +
            "(\"application\" \"octet-stream\" (\"name\" \"a.bin\") \"<part2@example.org>\" \"some bytes\" \"base64\" 16 " +
            "NIL (\"attachment\" (\"filename\" \"a.bin\")) NIL NIL) \"mixed\" (\"boundary\" \"=_m\") NIL (\"en\") NIL)",
            Structure(Mixed, true));
    }

    [Fact]
    public void Nested_message_has_envelope_body_and_lines()
    {
        const string inner =
            "(NIL \"inner\" ((NIL NIL \"inner\" \"example.org\")) ((NIL NIL \"inner\" \"example.org\")) " +
            "((NIL NIL \"inner\" \"example.org\")) NIL NIL NIL NIL NIL)";
        Assert.Equal(
            "((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 9 0)(\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 193 " + inner + " " +
            "((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 11 0)(\"text\" \"html\" NIL NIL NIL \"7BIT\" 12 0) \"alternative\") 13) \"mixed\")",
            Structure(Nested, false));
        Assert.Equal(
            "((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 9 0 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 193 " + inner + " " +
            "((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 11 0 NIL NIL NIL NIL)(\"text\" \"html\" NIL NIL NIL \"7BIT\" 12 0 NIL NIL NIL NIL) " +
            "\"alternative\" (\"boundary\" \"i\") NIL NIL NIL) 13 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"o\") NIL NIL NIL)",
            Structure(Nested, true));
    }

    [Fact]
    public void Missing_content_type_is_text_plain_us_ascii()
    {
        Assert.Equal("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 6 1)", Structure(Groups, false));
        Assert.Equal("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 21 1 NIL NIL NIL NIL)", Structure(Bare, true));
    }

    [Fact]
    public void Single_part_base64_reports_its_encoding_and_encoded_size()
    {
        Assert.Equal("(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"base64\" 10 1)", Structure(SinglePartBase64, false));
    }

    [Fact]
    public void Non_ascii_parameter_value_is_sent_as_an_encoded_word()
    {
        var message =
            "Content-Type: application/pdf; name*=utf-8''%C3%A9t%C3%A9.pdf\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n";
        Assert.Equal("(\"application\" \"pdf\" (\"name\" \"=?utf-8?b?w6l0w6kucGRm?=\") NIL NIL \"base64\" 6)", Structure(message, false));
    }

    [Fact]
    public void Multipart_without_parts_stands_in_an_empty_text_part()
    {
        var message = "Content-Type: multipart/mixed; boundary=\"z\"\r\n\r\nno parts at all\r\n";
        Assert.Equal("((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")", Structure(message, false));
    }

    [Fact]
    public void Text_rfc822_headers_is_a_text_leaf_not_a_message()
    {
        var message =
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n" +
            "--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: x@y\r\nSubject: s\r\n\r\n--r--\r\n";
        Assert.Equal(
            "((\"text\" \"rfc822-headers\" NIL NIL NIL \"7BIT\" 23 2) \"report\")",
            Structure(message, false));
    }

    [Theory]
    [InlineData("", 0, 0)]
    [InlineData("no header here\r\n", 16, 1)]
    [InlineData("\r\n\r\n", 2, 1)]
    public void Text_that_is_not_a_message_still_renders_as_one_text_part(string message, int size, int lines)
    {
        Assert.Equal($"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" {size} {lines})", Structure(message, false));
        Assert.Equal(message, Section(message, new([], SectionText.Header, [])) + Section(message, new([], SectionText.Text, [])));
    }
}
