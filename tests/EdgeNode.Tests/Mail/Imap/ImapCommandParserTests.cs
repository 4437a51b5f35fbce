using System.Buffers;
using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Tests.Mail.Smtp;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>Framing and tokenising: every prefix, every split, literals, limits, random input (Kestrel's HttpParserTests style).</summary>
public sealed class ImapCommandParserTests
{
    private const int MaxLine = 1000;
    private const long MaxLiteral = 1000;

    private static readonly string[] Commands =
    [
        "a1 CAPABILITY\r\n",
        "a2 LOGIN {5}\r\nalice \"sec\\\"ret\\\\\"\r\n",
        "a3 UID FETCH 1:*,7 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100>) (CHANGEDSINCE 5)\r\n",
        "a4 APPEND INBOX (\\Seen) {12+}\r\nHello\r\nWorld\r\n",
        "a5 SEARCH RETURN (MIN COUNT) OR (SEEN FROM \"x\") NOT UID 3:1\r\n",
        "a6 APPEND Drafts ~{3}\r\n\0ab\r\n",
        "a7 LIST \"\" (\"INBOX\" %)\r\n",
    ];

    private static readonly string[] Described =
    [
        "a1 CAPABILITY",
        "a2 LOGIN {5}alice \"sec\"ret\\\"",
        "a3 UID FETCH 1:*,7 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100>) (CHANGEDSINCE 5)",
        "a4 APPEND INBOX (\\Seen) {12}Hello\r\nWorld",
        "a5 SEARCH RETURN (MIN COUNT) OR (SEEN FROM \"x\") NOT UID 3:1",
        "a6 APPEND Drafts ~{3}\0ab",
        "a7 LIST \"\" (\"INBOX\" %)",
    ];

    private static readonly byte[] Conversation = Encoding.UTF8.GetBytes(string.Concat(Commands));

    /// <summary>Parses until the parser stops; checks nothing is consumed when it asks for more.</summary>
    private static (List<string> Commands, long Consumed, ImapParseStatus Last, int Pending) ParseAll(ReadOnlySequence<byte> input, ref ImapParserState state)
    {
        var reader = new SequenceReader<byte>(input);
        var commands = new List<string>();
        for (var guard = 0; guard < 10_000; guard++)
        {
            var before = reader.Consumed;
            var discarding = state.IsDiscarding;
            var status = ImapCommandParser.TryParseCommand(ref reader, MaxLine, MaxLiteral, ref state, out var command, out var pending);
            if (status != ImapParseStatus.Complete)
            {
                if (!discarding)
                {
                    Assert.Equal(before, reader.Consumed);
                }

                Assert.Null(command);
                return (commands, reader.Consumed, status, pending);
            }

            Assert.True(reader.Consumed > before);
            commands.Add(command!.ToString());
        }

        throw new InvalidOperationException("the parser did not stop");
    }

    [Fact]
    public void The_conversation_parses_into_its_commands()
    {
        var state = default(ImapParserState);
        var (commands, consumed, last, _) = ParseAll(new ReadOnlySequence<byte>(Conversation), ref state);
        Assert.Equal(Described, commands);
        Assert.Equal(Conversation.Length, consumed);
        Assert.Equal(ImapParseStatus.Incomplete, last);
    }

    [Fact]
    public void Every_prefix_parses_only_whole_commands_and_asks_for_a_continuation_inside_a_synchronising_literal()
    {
        var ends = new List<int>();
        var offset = 0;
        foreach (var c in Commands)
        {
            offset += Encoding.UTF8.GetByteCount(c);
            ends.Add(offset);
        }

        var loginLiteral = Encoding.UTF8.GetByteCount(Commands[0] + "a2 LOGIN {5}\r\n");
        var binaryLiteral = ends[4] + Encoding.UTF8.GetByteCount("a6 APPEND Drafts ~{3}\r\n");
        for (var length = 0; length <= Conversation.Length; length++)
        {
            var state = default(ImapParserState);
            var (commands, consumed, last, pending) = ParseAll(new ReadOnlySequence<byte>(Conversation.AsMemory(0, length)), ref state);
            var whole = ends.Count(e => e <= length);
            Assert.Equal(Described.Take(whole), commands);
            Assert.Equal(whole == 0 ? 0 : ends[whole - 1], consumed);
            var insideSyncLiteral = (length >= loginLiteral && length < loginLiteral + 5) || (length >= binaryLiteral && length < binaryLiteral + 3);
            if (length < Conversation.Length)
            {
                Assert.Equal(insideSyncLiteral ? ImapParseStatus.NeedsContinuation : ImapParseStatus.Incomplete, last);
                Assert.Equal(0, pending);
            }
        }
    }

    [Fact]
    public void Every_split_across_two_segments_parses_identically()
    {
        for (var at = 0; at <= Conversation.Length; at++)
        {
            var state = default(ImapParserState);
            var (commands, consumed, _, _) = ParseAll(BufferSegment.Split(Conversation, at), ref state);
            Assert.Equal(Described, commands);
            Assert.Equal(Conversation.Length, consumed);
        }
    }

    [Theory]
    [InlineData("a LOGIN {3}\r\n", 0)]
    [InlineData("a LOGIN {3}\r\nabc {4}\r\n", 1)]
    public void A_synchronising_literal_not_yet_sent_needs_a_continuation(string input, int pending)
    {
        var state = default(ImapParserState);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(input)));
        Assert.Equal(ImapParseStatus.NeedsContinuation, ImapCommandParser.TryParseCommand(ref reader, MaxLine, MaxLiteral, ref state, out _, out var p));
        Assert.Equal(pending, p);
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void A_non_synchronising_literal_never_asks_for_a_continuation()
    {
        var state = default(ImapParserState);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("a LOGIN {3+}\r\nab"u8.ToArray()));
        Assert.Equal(ImapParseStatus.Incomplete, ImapCommandParser.TryParseCommand(ref reader, MaxLine, MaxLiteral, ref state, out _, out _));
    }

    [Fact]
    public void A_too_big_synchronising_literal_is_refused_without_reading_it()
    {
        var state = default(ImapParserState);
        var (commands, consumed, _, _) = ParseAll(new ReadOnlySequence<byte>("t1 APPEND INBOX {1001}\r\nt2 NOOP\r\n"u8.ToArray()), ref state);
        Assert.Equal(["t1 !LiteralTooBig: Literal too big", "t2 NOOP"], commands);
        Assert.Equal(33, consumed);
    }

    [Fact]
    public void A_too_big_non_synchronising_literal_is_discarded_as_it_arrives()
    {
        var state = default(ImapParserState);
        var first = Encoding.ASCII.GetBytes("t1 APPEND INBOX {1001+}\r\n" + new string('x', 600));
        var (commands, consumed, _, _) = ParseAll(new ReadOnlySequence<byte>(first), ref state);
        Assert.Equal(["t1 !LiteralTooBig: Literal too big"], commands);
        Assert.Equal(first.Length, consumed);
        Assert.True(state.IsDiscarding);

        var rest = Encoding.ASCII.GetBytes(new string('x', 401) + " more\r\nt2 NOOP\r\n");
        (commands, consumed, _, _) = ParseAll(new ReadOnlySequence<byte>(rest), ref state);
        Assert.Equal(["t2 NOOP"], commands);
        Assert.Equal(rest.Length, consumed);
        Assert.False(state.IsDiscarding);
    }

    [Fact]
    public void An_overlong_line_is_reported_once_and_its_rest_discarded()
    {
        var state = default(ImapParserState);
        var bytes = Encoding.ASCII.GetBytes("t1 NOOP " + new string('y', 1200));
        var (commands, _, _, _) = ParseAll(new ReadOnlySequence<byte>(bytes), ref state);
        Assert.Equal(["t1 !LineTooLong: Command line too long"], commands);
        var (more, _, _, _) = ParseAll(new ReadOnlySequence<byte>("yyy\r\nt2 NOOP\r\n"u8.ToArray()), ref state);
        Assert.Equal(["t2 NOOP"], more);
    }

    [Theory]
    [InlineData("NOOP\r\n", "NOOP !Syntax: Missing command")]
    [InlineData("t1\r\n", "t1 !Syntax: Missing command")]
    [InlineData("t1 NOOP (a\r\n", "t1 !Syntax: Unbalanced parenthesis")]
    [InlineData("t1 NOOP a)\r\n", "t1 !Syntax: Unbalanced parenthesis")]
    [InlineData("t1 LOGIN \"a\\b\" c\r\n", "t1 !Syntax: Bad quoted string")]
    [InlineData("t1 NOOP a\rb\r\n", "t1 !Syntax: Bare CR")]
    [InlineData("t1 FETCH 1 BODY[\r\n", "t1 !Syntax: Bad character")]
    [InlineData("t1 NOOP {x}\r\n", "t1 !Syntax: Bad literal")]
    [InlineData("t1 UID\r\n", "t1 !Syntax: Missing command after UID")]
    [InlineData("t1 uid fetch 1 flags\r\n", "t1 UID FETCH 1 flags")]
    [InlineData("t1  NOOP\r\n", "t1 !Syntax: Missing command")]
    [InlineData("t1 LIST \"\" \"Caf\u00e9\"\r\n", "t1 LIST \"\" \"Caf\u00e9\"")]
    public void Malformed_and_unusual_lines(string line, string expected)
    {
        var state = default(ImapParserState);
        var (commands, consumed, _, _) = ParseAll(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(line)), ref state);
        Assert.Equal([expected], commands);
        Assert.Equal(Encoding.UTF8.GetByteCount(line), consumed);
    }

    [Fact]
    public void Lines_inside_commands_read_with_TryReadLine()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("DONE\r\nrest"u8.ToArray()));
        Assert.True(ImapCommandParser.TryReadLine(ref reader, 100, out var line));
        Assert.Equal("DONE", line);
        Assert.False(ImapCommandParser.TryReadLine(ref reader, 100, out _));
        Assert.Equal(6, reader.Consumed);
    }

    [Fact]
    public void Random_bytes_never_throw_and_always_make_progress_or_wait()
    {
        string[] tokens = ["t1 ", "FETCH ", "{3}\r\n", "{2+}\r\n", "~{1}\r\n", "(", ")", "\"", "\\", "[", "]", " ", "\r\n", "\r", "\n", "<0.1>", "x", "*", "{99999999999999999999}\r\n", "\0"];
        var pieces = Gen.Int[0, tokens.Length - 1].Select(i => tokens[i]);
        var input = Gen.OneOf(Gen.Byte.Array[0, 300], pieces.Array[0, 40].Select(a => Encoding.ASCII.GetBytes(string.Concat(a))));
        input.Sample(bytes =>
        {
            var state = default(ImapParserState);
            var at = bytes.Length / 2;
            ParseAll(BufferSegment.Split(bytes, at), ref state);
        }, iter: 5000);
    }
}
