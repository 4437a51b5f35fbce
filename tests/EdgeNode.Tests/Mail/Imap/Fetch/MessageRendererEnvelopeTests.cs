using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using static EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch.FetchSamples;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch;

public sealed class MessageRendererEnvelopeTests
{
    [Fact]
    public void Rfc9051_example_message_renders_the_rfc_envelope()
    {
        // RFC 9051 §7.5.2 (FETCH response example), without the spaces the RFC adds between
        // addresses for readability: env-cc is "(" 1*address ")".
        Assert.Equal(
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) " +
            "((NIL NIL \"imap\" \"cac.washington.edu\")) " +
            "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) " +
            "NIL NIL \"<B27397-0100000@cac.washington.edu>\")",
            Envelope(Simple));
    }

    [Fact]
    public void Sender_and_reply_to_default_to_from()
    {
        Assert.Equal(
            "(NIL \"alt\" ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) " +
            "((NIL NIL \"b\" \"example.org\")) NIL NIL NIL NIL)",
            Envelope(Alternative));
    }

    [Fact]
    public void Group_syntax_uses_nil_host_markers()
    {
        Assert.Equal(
            "(NIL \"groups\" ((\"Alice\" NIL \"alice\" \"example.org\")) ((\"Alice\" NIL \"alice\" \"example.org\")) " +
            "((\"Alice\" NIL \"alice\" \"example.org\")) " +
            "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) " +
            "((NIL NIL \"Team\" NIL)(NIL NIL \"bob\" \"example.org\")(\"Carol C\" NIL \"carol\" \"example.org\")(NIL NIL NIL NIL)" +
            "(NIL NIL \"dave\" \"example.org\")) NIL NIL NIL)",
            Envelope(Groups));
    }

    [Fact]
    public void Missing_headers_are_nil()
    {
        Assert.Equal("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)", Envelope(Bare));
        Assert.Equal("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)", Envelope(string.Empty));
    }

    [Fact]
    public void Encoded_words_subject_is_raw_and_names_are_one_encoded_word_when_not_ascii()
    {
        // Subject: raw value unfolded (CRLF dropped, the folding TAB kept), as Dovecot sends it.
        Assert.Equal(
            "(NIL \"=?UTF-8?Q?caf=C3=A9?= and\tmore\" " +
            "((\"Keld =?utf-8?b?SsO4cm4=?= Simonsen\" NIL \"keld\" \"example.org\")) " +
            "((\"=?utf-8?b?SsO2cmc=?=\" NIL \"joerg\" \"example.org\")) " +
            "((\"Plain Name\" NIL \"plain\" \"example.org\")) NIL NIL NIL \"<x@y>\" NIL)",
            Envelope(Encoded));
    }

    [Fact]
    public void Eight_bit_utf8_header_values_go_out_as_literals_of_the_same_bytes()
    {
        Assert.Equal(
            "(NIL {7}\r\nGrüße " +
            "((\"=?utf-8?b?SsO2cmc=?=\" NIL {5}\r\njörg \"example.org\")) " +
            "((\"=?utf-8?b?SsO2cmc=?=\" NIL {5}\r\njörg \"example.org\")) " +
            "((\"=?utf-8?b?SsO2cmc=?=\" NIL {5}\r\njörg \"example.org\")) NIL NIL NIL NIL NIL)",
            Envelope(EightBit));
    }

    [Fact]
    public void Quotes_and_backslashes_are_escaped()
    {
        Assert.Equal(
            "(NIL \"a \\\"b\\\" \\\\ c\" NIL NIL NIL NIL NIL NIL NIL NIL)",
            Envelope("Subject: a \"b\" \\ c\r\n\r\n"));
    }

    [Fact]
    public void Address_without_domain_gets_a_placeholder_host_not_nil()
    {
        // A NIL host would read as group syntax (RFC 9051 §7.5.2).
        Assert.Contains("(NIL NIL \"postmaster\" \"MISSING_DOMAIN\")", Envelope("From: postmaster\r\n\r\n"), StringComparison.Ordinal);
    }
}
