using System.Text;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using static EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch.FetchSamples;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch;

public sealed class MessageRendererSectionTests
{
    [Fact]
    public void Whole_message_is_the_input_slice_itself()
    {
        var bytes = Bytes(Simple);
        var section = new MessageRenderer().GetSection(bytes, Part(), binary: false, out var unknown);
        Assert.False(unknown);
        Assert.True(section!.Value.Span == bytes.Span, "BODY[] must be the caller's bytes, not a copy");
    }

    [Fact]
    public void Header_and_text_split_at_the_blank_line()
    {
        Assert.Equal(SimpleHeader, Section(Simple, new([], SectionText.Header, [])));
        Assert.Equal(SimpleText, Section(Simple, new([], SectionText.Text, [])));
    }

    [Fact]
    public void Header_fields_keep_folded_lines_and_message_order_then_a_blank_line()
    {
        Assert.Equal(
            "From: Terry Gray <gray@cac.washington.edu>\r\nCc: minutes@CNRI.Reston.VA.US,\r\n \"John Klensin\" <KLENSIN@MIT.EDU>\r\n\r\n",
            Section(Simple, new([], SectionText.HeaderFields, ["cc", "FROM"])));
        Assert.Equal("\r\n", Section(Simple, new([], SectionText.HeaderFields, ["X-Absent"])));
    }

    [Fact]
    public void Header_fields_not_returns_every_other_field()
    {
        Assert.Equal(
            "MIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n",
            Section(Simple, new([], SectionText.HeaderFieldsNot, ["Date", "From", "Subject", "To", "Cc", "Message-ID"])));
    }

    [Fact]
    public void Header_cut_off_by_the_end_of_the_message()
    {
        const string message = "Subject: x\r\nTo: y@z";
        Assert.Equal(message, Section(message, new([], SectionText.Header, [])));
        Assert.Equal(string.Empty, Section(message, new([], SectionText.Text, [])));
        Assert.Equal("To: y@z\r\n\r\n", Section(message, new([], SectionText.HeaderFields, ["To"])));
    }

    [Fact]
    public void Non_multipart_message_has_part_one_as_its_body()
    {
        Assert.Equal(SimpleText, Section(Simple, Part(1)));
        Assert.Equal(SimpleHeader, Section(Simple, new([1], SectionText.Mime, [])));
        Assert.Null(Section(Simple, Part(2)));
        Assert.Null(Section(Simple, Part(1, 1)));
        Assert.Null(Section(Simple, new([1], SectionText.Header, [])));
    }

    [Fact]
    public void Multipart_parts_and_their_mime_headers()
    {
        Assert.Equal("plain one\r\nplain two", Section(Alternative, Part(1)));
        Assert.Equal("<p>caf=C3=A9</p>", Section(Alternative, Part(2)));
        Assert.Equal("Content-Type: text/plain; charset=utf-8\r\n\r\n", Section(Alternative, new([1], SectionText.Mime, [])));
        Assert.Equal(
            "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
            Section(Alternative, new([2], SectionText.Mime, [])));
        Assert.StartsWith("preamble\r\n--b1\r\n", Section(Alternative, new([], SectionText.Text, [])), StringComparison.Ordinal);
        Assert.Null(Section(Alternative, Part(3)));
        Assert.Null(Section(Alternative, Part(0)));
        Assert.Null(Section(Alternative, Part(1, 1)));
    }

    [Fact]
    public void Nested_message_parts_number_the_encapsulated_body()
    {
        var inner = Nested[Nested.IndexOf("From: inner", StringComparison.Ordinal)..Nested.IndexOf("\r\n--o--", StringComparison.Ordinal)];
        Assert.EndsWith("--i--\r\n", inner, StringComparison.Ordinal);
        Assert.Equal("see below", Section(Nested, Part(1)));
        Assert.Equal(inner, Section(Nested, Part(2)));
        Assert.Equal("Content-Type: message/rfc822\r\n\r\n", Section(Nested, new([2], SectionText.Mime, [])));
        Assert.Equal(
            "From: inner@example.org\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n",
            Section(Nested, new([2], SectionText.Header, [])));
        Assert.Equal(inner[inner.IndexOf("--i\r\n", StringComparison.Ordinal)..], Section(Nested, new([2], SectionText.Text, [])));
        Assert.Equal("Subject: inner\r\n\r\n", Section(Nested, new([2], SectionText.HeaderFields, ["subject"])));
        Assert.Equal(
            "From: inner@example.org\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n",
            Section(Nested, new([2], SectionText.HeaderFieldsNot, ["subject"])));
        Assert.Equal("inner plain", Section(Nested, Part(2, 1)));
        Assert.Equal("<b>inner</b>", Section(Nested, Part(2, 2)));
        Assert.Equal("Content-Type: text/html\r\n\r\n", Section(Nested, new([2, 2], SectionText.Mime, [])));
        Assert.Null(Section(Nested, Part(2, 3)));
        Assert.Null(Section(Nested, new([1], SectionText.Header, [])));
        Assert.Null(Section(Nested, new([2, 1], SectionText.Text, [])));
    }

    [Fact]
    public void Message_whose_body_is_message_rfc822()
    {
        const string message = "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nhi\r\n";
        Assert.Equal("Subject: in\r\n\r\nhi\r\n", Section(message, Part(1)));
        Assert.Equal("Subject: in\r\n\r\n", Section(message, new([1], SectionText.Header, [])));
        Assert.Equal("hi\r\n", Section(message, Part(1, 1)));
        Assert.Null(Section(message, Part(1, 2)));
    }

    [Fact]
    public void Binary_removes_base64_and_quoted_printable()
    {
        var renderer = new MessageRenderer();
        var attachment = renderer.GetSection(Bytes(Mixed), Part(2), binary: true, out var unknown);
        Assert.False(unknown);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, attachment!.Value.ToArray());
        Assert.Equal("<p>café</p>", Section(Alternative, Part(2), binary: true));
        Assert.Equal("héllo", Section(SinglePartBase64, Part(1), binary: true));
        Assert.Equal("plain one\r\nplain two", Section(Alternative, Part(1), binary: true));
        Assert.Equal(Section(Nested, Part(2)), Section(Nested, Part(2), binary: true));
    }

    [Fact]
    public void Binary_of_an_unknown_encoding_is_reported()
    {
        var renderer = new MessageRenderer();
        Assert.Null(renderer.GetSection(Bytes(UnknownEncoding), Part(1), binary: true, out var unknown));
        Assert.True(unknown);
        Assert.Equal("?\r\n", Encoding.UTF8.GetString(renderer.GetSection(Bytes(UnknownEncoding), Part(1), binary: false, out unknown)!.Value.Span));
        Assert.False(unknown);
    }

    [Fact]
    public void Sections_of_the_sample_messages_are_slices_of_their_bytes()
    {
        foreach (var message in new[] { Simple, Alternative, Mixed, Nested, Groups, Encoded, EightBit })
        {
            Assert.Equal(message, Section(message, new([], SectionText.Header, [])) + Section(message, new([], SectionText.Text, [])));
        }
    }
}
