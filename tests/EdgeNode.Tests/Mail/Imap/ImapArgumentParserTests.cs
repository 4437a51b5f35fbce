using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Imap.Search;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>FETCH items, SEARCH programs, sequence sets, LIST patterns, mailbox name and date codecs.</summary>
public sealed class ImapArgumentParserTests
{
    private static IReadOnlyList<ImapToken> Args(string arguments)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("t CMD " + arguments + "\r\n");
        var reader = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>(bytes));
        var state = default(ImapParserState);
        Assert.Equal(ImapParseStatus.Complete, ImapCommandParser.TryParseCommand(ref reader, 10_000, 10_000, ref state, out var command, out _));
        Assert.Equal(ImapCommandError.None, command!.Error);
        return command.Arguments;
    }

    [Theory]
    [InlineData("1 ALL", "FLAGS,INTERNALDATE,RFC822.SIZE,ENVELOPE")]
    [InlineData("1 FAST", "FLAGS,INTERNALDATE,RFC822.SIZE")]
    [InlineData("1 FULL", "FLAGS,INTERNALDATE,RFC822.SIZE,ENVELOPE,BODY")]
    [InlineData("1:* (uid flags rfc822.size)", "UID,FLAGS,RFC822.SIZE")]
    [InlineData("1 (BODY.PEEK[] BODY[1.2.MIME] BODY[HEADER.FIELDS.NOT (X-A x-b)] BODY[3.TEXT]<5.10>)", "BODY[]/peek,BODY[1.2.MIME],BODY[HEADER.FIELDS.NOT (X-A X-B)],BODY[3.TEXT]<5+10>")]
    [InlineData("1 (BINARY.PEEK[1] BINARY[2]<0.7> BINARY.SIZE[1] MODSEQ)", "BINARY[1]/peek,BINARY[2]<0+7>,BINARY.SIZE[1]/peek,MODSEQ")]
    [InlineData("1 (RFC822 RFC822.HEADER RFC822.TEXT BODYSTRUCTURE BODY ENVELOPE INTERNALDATE)", "RFC822,RFC822.HEADER,RFC822.TEXT,BODYSTRUCTURE,BODY,ENVELOPE,INTERNALDATE")]
    [InlineData("1 FLAGS (CHANGEDSINCE 12)", "FLAGS,MODSEQ")]
    public void Fetch_items_and_macros(string arguments, string expected)
    {
        Assert.True(FetchRequestParser.TryParse(Args(arguments), out var request, out var error), error);
        Assert.Equal(expected, string.Join(',', request.Items.Select(i =>
            i.Label + (i.Section?.PartialStart is { } s ? $"<{s}+{i.Section.PartialLength}>" : string.Empty) + (i.Peek ? "/peek" : string.Empty))));
    }

    [Fact]
    public void Fetch_section_details()
    {
        Assert.True(FetchRequestParser.TryParse(Args("5 BODY[2.1.HEADER.FIELDS (From \"To\")]"), out var request, out _));
        var section = request.Items[0].Section!;
        Assert.Equal([2, 1], section.Part);
        Assert.Equal(SectionText.HeaderFields, section.Text);
        Assert.Equal(["From", "To"], section.Fields);
        Assert.False(request.Items[0].Peek);
        Assert.True(request.SetsSeen);
        Assert.True(FetchRequestParser.TryParse(Args("5 (BODY.PEEK[TEXT] RFC822.HEADER)"), out request, out _));
        Assert.False(request.SetsSeen);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("0 FLAGS")]
    [InlineData("1: FLAGS")]
    [InlineData("1 ()")]
    [InlineData("1 (FLAGS BOGUS)")]
    [InlineData("1 BODY[0]")]
    [InlineData("1 BODY[1.]")]
    [InlineData("1 BODY[MIME]")]
    [InlineData("1 BODY[HEADER.FIELDS]")]
    [InlineData("1 BODY[HEADER.FIELDS ()]")]
    [InlineData("1 BINARY[HEADER]")]
    [InlineData("1 BINARY.SIZE[1]<0.5>")]
    [InlineData("1 BODY[]<1>")]
    [InlineData("1 BODY[]<1.0>")]
    [InlineData("1 FLAGS (CHANGEDSINCE x)")]
    [InlineData("1 FLAGS (VANISHED)")]
    public void Bad_fetch_arguments_are_refused(string arguments)
    {
        var args = arguments.Length == 0 ? [] : Args(arguments);
        Assert.False(FetchRequestParser.TryParse(args, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("1", 10, "1-1")]
    [InlineData("3:1", 10, "1-3")]
    [InlineData("*", 10, "10-10")]
    [InlineData("5:*", 3, "3-5")]
    [InlineData("*:2,1,8:9,4", 9, "1-9")]
    [InlineData("1:2,5:6", 9, "1-2,5-6")]
    [InlineData("*", 0, "")]
    public void Sequence_sets_resolve_sorted_and_merged(string text, uint largest, string expected)
    {
        Assert.True(SequenceSet.TryParse(text, out var set));
        Assert.Equal(expected, string.Join(',', set.Resolve(largest).Select(r => $"{r.Low}-{r.High}")));
        Assert.Equal(text, set.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("1,")]
    [InlineData("01")]
    [InlineData("a")]
    [InlineData("1:2:3")]
    [InlineData("4294967296")]
    [InlineData("$")]
    public void Bad_sequence_sets(string text) => Assert.False(SequenceSet.TryParse(text, out _));

    [Fact]
    public void Sequence_sets_format_compactly() =>
        Assert.Equal("1:3,5,7:8", SequenceSet.Format([1, 2, 3, 5, 7, 8]));

    [Theory]
    [InlineData("ALL", "All")]
    [InlineData("UNSEEN FLAGGED", "And(NoFlag:Seen,Flag:Flagged)")]
    [InlineData("OR SEEN NOT DRAFT", "Or(Flag:Seen,Not(Flag:Draft))")]
    [InlineData("(DELETED ANSWERED) UNDELETED", "And(And(Flag:Deleted,Flag:Answered),NoFlag:Deleted)")]
    [InlineData("KEYWORD $Junk UNKEYWORD foo", "And(Keyword=$Junk,Unkeyword=foo)")]
    [InlineData("SINCE 1-Feb-1994 BEFORE \"10-Mar-2026\"", "And(Since@1994-02-01,Before@2026-03-10)")]
    [InlineData("SENTON 29-Feb-2024", "SentOn@2024-02-29")]
    [InlineData("LARGER 100 SMALLER 5000", "And(Larger#100,Smaller#5000)")]
    [InlineData("FROM joe TO \"a b\" CC c BCC d SUBJECT {2}\r\nhi", "And(Header:FROM=joe,Header:TO=a b,Header:CC=c,Header:BCC=d,Header:SUBJECT=hi)")]
    [InlineData("HEADER X-Spam yes BODY b TEXT t", "And(Header:X-SPAM=yes,Body=b,Text=t)")]
    [InlineData("UID 1:5 2,4", "And(Uid[1:5],SequenceSet[2,4])")]
    [InlineData("NEW OLD RECENT", "And(None,All,None)")]
    [InlineData("MODSEQ 620", "ModSeq#620")]
    [InlineData("MODSEQ \"/flags/\\\\draft\" all 620", "ModSeq#620")]
    [InlineData("CHARSET UTF-8 TEXT x", "Text=x")]
    public void Search_programs(string arguments, string expected)
    {
        Assert.True(SearchRequestParser.TryParse(Args(arguments), out var request, out var error, out _), error);
        Assert.Equal(expected, Describe(request.Key));
        Assert.Null(request.Return);
    }

    [Theory]
    [InlineData("RETURN () ALL", SearchReturn.All)]
    [InlineData("RETURN (MIN MAX) ALL", SearchReturn.Min | SearchReturn.Max)]
    [InlineData("RETURN (count all) CHARSET US-ASCII ALL", SearchReturn.Count | SearchReturn.All)]
    public void Search_return_options(string arguments, SearchReturn expected)
    {
        Assert.True(SearchRequestParser.TryParse(Args(arguments), out var request, out _, out _));
        Assert.Equal(expected, request.Return);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("BOGUS", false)]
    [InlineData("OR SEEN", false)]
    [InlineData("NOT", false)]
    [InlineData("SINCE 31-Feb-2024", false)]
    [InlineData("SINCE 1-Foo-2024", false)]
    [InlineData("LARGER x", false)]
    [InlineData("HEADER X", false)]
    [InlineData("KEYWORD (a)", false)]
    [InlineData("()", false)]
    [InlineData("RETURN (SAVE) ALL", false)]
    [InlineData("CHARSET ISO-2022-JP ALL", true)]
    public void Bad_search_programs(string arguments, bool badCharset)
    {
        var args = arguments.Length == 0 ? [] : Args(arguments);
        Assert.False(SearchRequestParser.TryParse(args, out _, out _, out var charset));
        Assert.Equal(badCharset, charset);
    }

    [Theory]
    [InlineData("*", "a/b", true)]
    [InlineData("%", "a/b", false)]
    [InlineData("a/%", "a/b", true)]
    [InlineData("a%", "ab", true)]
    [InlineData("%/b", "a/b", true)]
    [InlineData("inbox", "INBOX", true)]
    [InlineData("Inbox/*", "INBOX", false)]
    [InlineData("in*", "INBOX", true)]
    [InlineData("Sent", "sent", false)]
    [InlineData("a*c", "abc/dc", true)]
    [InlineData("", "a", false)]
    public void List_patterns(string pattern, string name, bool expected) => Assert.Equal(expected, MailboxPattern.Matches(pattern, name));

    [Theory]
    [InlineData("Entwürfe", "Entw&APw-rfe")]
    [InlineData("A&B", "A&-B")]
    [InlineData("日本語", "&ZeVnLIqe-")]
    [InlineData("plain", "plain")]
    public void Modified_utf7_round_trips(string name, string encoded)
    {
        Assert.Equal(encoded, ModifiedUtf7.Encode(name));
        Assert.Equal(name, ModifiedUtf7.Decode(encoded));
    }

    [Theory]
    [InlineData(" 5-Dec-2026 13:14:15 +0100", "2026-12-05T13:14:15+01:00")]
    [InlineData("17-Jul-1996 02:44:25 -0700", "1996-07-17T02:44:25-07:00")]
    public void Append_date_times(string text, string expected)
    {
        Assert.True(ImapDateTime.TryParse(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(value.Offset, DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5-Dec-2026")]
    [InlineData("5-Foo-2026 13:14:15 +0100")]
    [InlineData("5-Dec-2026 13:14:15 0100")]
    public void Bad_date_times(string text) => Assert.False(ImapDateTime.TryParse(text, out _));

    [Fact]
    public void Flags_split_into_system_flags_and_keywords()
    {
        Assert.True(FlagParser.TryParse(Args("\\Seen \\draft $Forwarded \\Recent $forwarded"), out var flags, out var keywords));
        Assert.Equal(MessageFlags.Seen | MessageFlags.Draft, flags);
        Assert.Equal(["$Forwarded"], keywords);
        Assert.False(FlagParser.TryParse(Args("\\Unknown"), out _, out _));
        Assert.False(FlagParser.TryParse(Args("\"quoted\""), out _, out _));
    }

    private static string Describe(SearchKey k) => k.Kind switch
    {
        SearchKeyKind.And or SearchKeyKind.Or or SearchKeyKind.Not => $"{k.Kind}({string.Join(',', k.Children!.Select(Describe))})",
        SearchKeyKind.Flag or SearchKeyKind.NoFlag => $"{k.Kind}:{k.Flag}",
        SearchKeyKind.Keyword or SearchKeyKind.Unkeyword or SearchKeyKind.Body or SearchKeyKind.Text => $"{k.Kind}={k.Text}",
        SearchKeyKind.Header => $"Header:{k.Field}={k.Text}",
        SearchKeyKind.Before or SearchKeyKind.On or SearchKeyKind.Since or SearchKeyKind.SentBefore or SearchKeyKind.SentOn or SearchKeyKind.SentSince => $"{k.Kind}@{k.Date:yyyy-MM-dd}",
        SearchKeyKind.Larger or SearchKeyKind.Smaller or SearchKeyKind.ModSeq => $"{k.Kind}#{k.Number}",
        SearchKeyKind.Uid or SearchKeyKind.SequenceSet => $"{k.Kind}[{k.Set}]",
        _ => k.Kind.ToString(),
    };
}
