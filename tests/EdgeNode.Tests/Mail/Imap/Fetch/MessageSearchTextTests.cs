using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using static EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch.FetchSamples;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap.Fetch;

public sealed class MessageSearchTextTests
{
    [Fact]
    public void Header_search_is_case_insensitive_on_decoded_values()
    {
        var search = new MessageSearchText(Bytes(Encoded));
        Assert.True(search.HeaderContains("subject", "CAFÉ AND"));
        Assert.True(search.HeaderContains("FROM", "jørn"));
        Assert.True(search.HeaderContains("Sender", "Jörg"));
        Assert.False(search.HeaderContains("To", "keld"));
        Assert.False(search.HeaderContains("Subject", "=?UTF-8?Q?"));
    }

    [Fact]
    public void Empty_value_matches_any_header_with_the_name()
    {
        // RFC 9051 §6.4.4 HEADER: a zero-length string matches every message that has the field.
        var search = new MessageSearchText(Bytes(Encoded));
        Assert.True(search.HeaderContains("in-reply-to", string.Empty));
        Assert.False(search.HeaderContains("references", string.Empty));
    }

    [Fact]
    public void Eight_bit_headers_are_searchable()
    {
        Assert.True(new MessageSearchText(Bytes(EightBit)).HeaderContains("Subject", "GRÜßE"));
        Assert.True(new MessageSearchText(Bytes(EightBit)).HeaderContains("Subject", "grüße"));
    }

    [Fact]
    public void Body_search_decodes_transfer_encodings_and_skips_headers()
    {
        var alternative = new MessageSearchText(Bytes(Alternative));
        Assert.True(alternative.BodyContains("CAFÉ"));
        Assert.True(alternative.BodyContains("plain TWO"));
        Assert.False(alternative.BodyContains("caf=C3"));
        Assert.False(alternative.BodyContains("b@example.org"));
        Assert.True(new MessageSearchText(Bytes(SinglePartBase64)).BodyContains("héllo"));
    }

    [Fact]
    public void Text_search_covers_header_and_body()
    {
        var search = new MessageSearchText(Bytes(Alternative));
        Assert.True(search.TextContains("b@example.org"));
        Assert.True(search.TextContains("café"));
        Assert.False(search.TextContains("nowhere"));
    }

    [Fact]
    public void Sent_date_keeps_its_zone()
    {
        Assert.Equal(new DateTimeOffset(1996, 7, 17, 2, 23, 25, TimeSpan.FromHours(-7)), new MessageSearchText(Bytes(Simple)).SentDate);
        Assert.Null(new MessageSearchText(Bytes(Bare)).SentDate);
        Assert.Null(new MessageSearchText(Bytes("Date: yesterday-ish\r\n\r\n")).SentDate);
    }
}
