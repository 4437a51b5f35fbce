using System.Buffers;
using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Mail.Smtp;
using static EPostEdge.EdgeNode.Tests.Mail.Smtp.SmtpTestParsing;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>Line framing: prefixes, segment splits, bare LF, overlong lines (Kestrel's HttpParserTests style).</summary>
public sealed class SmtpCommandParserFramingTests
{
    private const int Max = SmtpCommandParser.DefaultMaxLineLength;

    private static readonly byte[] Conversation = Encoding.UTF8.GetBytes(
        "EHLO client.example\r\n" +
        "MAIL FROM:<jöran@bücher.example> SIZE=10 BODY=8BITMIME SMTPUTF8\r\n" +
        "RCPT TO:<\"a b\"@[IPv6:::1]> NOTIFY=NEVER\r\n" +
        "RCPT TO:<@relay.example:c@d.example>\r\n" +
        "BDAT 86 LAST\r\n" +
        "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n" +
        "NOOP\r\n" +
        "QUIT\r\n");

    private static List<string> Expected()
    {
        var state = default(SmtpLineState);
        var (commands, consumed) = ParseAll(new ReadOnlySequence<byte>(Conversation), Max, ref state);
        Assert.Equal(Conversation.Length, consumed);
        Assert.Equal(8, commands.Count);
        Assert.DoesNotContain(commands, c => c.Kind is SmtpCommandKind.Syntax or SmtpCommandKind.Unknown);
        return commands.ConvertAll(Describe);
    }

    [Fact]
    public void Every_prefix_parses_only_its_complete_lines_and_consumes_nothing_more()
    {
        var expected = Expected();
        for (var length = 0; length <= Conversation.Length; length++)
        {
            var prefix = Conversation.AsSpan(0, length);
            var lastLineEnd = prefix.LastIndexOf("\r\n"u8);
            var completeBytes = lastLineEnd < 0 ? 0 : lastLineEnd + 2;
            var completeLines = prefix[..completeBytes].Count("\r\n"u8);

            var state = default(SmtpLineState);
            var (commands, consumed) = ParseAll(new ReadOnlySequence<byte>(prefix.ToArray()), Max, ref state);

            Assert.Equal(completeBytes, consumed);
            Assert.Equal(expected.Take(completeLines), commands.ConvertAll(Describe));
        }
    }

    [Fact]
    public void Every_split_across_two_segments_parses_identically()
    {
        var expected = Expected();
        for (var at = 0; at <= Conversation.Length; at++)
        {
            var state = default(SmtpLineState);
            var (commands, consumed) = ParseAll(BufferSegment.Split(Conversation, at), Max, ref state);
            Assert.Equal(Conversation.Length, consumed);
            Assert.Equal(expected, commands.ConvertAll(Describe));
        }
    }

    [Theory]
    [InlineData("NOOP\nDATA\r\n")]
    [InlineData("MAIL FROM:<a@b.example>\n")]
    [InlineData("RSET\rQUIT\r\n")]
    [InlineData("\n\r\n")]
    [InlineData("DATA\r\r\n")]
    public void Bare_cr_or_lf_is_not_a_line_end_and_the_line_is_rejected(string input)
    {
        var bytes = Encoding.ASCII.GetBytes(input);
        var state = default(SmtpLineState);
        var (commands, consumed) = ParseAll(new ReadOnlySequence<byte>(bytes), Max, ref state);
        if (!input.EndsWith("\r\n", StringComparison.Ordinal))
        {
            Assert.Empty(commands); // waits for CRLF
            Assert.Equal(0, consumed);
            return;
        }

        var command = Assert.Single(commands);
        Assert.Equal(SmtpCommandKind.Syntax, command.Kind);
        Assert.Equal(bytes.Length, consumed);
    }

    [Fact]
    public void Smuggled_end_of_data_with_bare_lf_stays_one_rejected_line()
    {
        // The SMTP smuggling shape: "\n.\n" must not end anything; only the final CRLF does.
        var bytes = "NOOP x\n.\nMAIL FROM:<evil@x.example>\r\n"u8.ToArray();
        var state = default(SmtpLineState);
        var (commands, _) = ParseAll(new ReadOnlySequence<byte>(bytes), Max, ref state);
        Assert.Equal(SmtpCommandKind.Syntax, Assert.Single(commands).Kind);
    }

    [Fact]
    public void A_line_of_exactly_the_limit_parses_and_one_more_octet_is_too_long()
    {
        var atLimit = "NOOP " + new string('x', Max - 7); // + CRLF = Max
        Assert.Equal(SmtpCommandKind.Noop, ParseOne(atLimit).Kind);

        var over = ParseOne(atLimit + "x");
        Assert.Equal(SmtpCommandKind.LineTooLong, over.Kind);
        Assert.NotNull(over.ErrorReason);
    }

    [Fact]
    public void An_overlong_line_with_its_crlf_is_consumed_whole_and_the_next_line_parses()
    {
        var bytes = Encoding.ASCII.GetBytes("NOOP " + new string('x', 600) + "\r\nQUIT\r\n");
        var state = default(SmtpLineState);
        var (commands, consumed) = ParseAll(new ReadOnlySequence<byte>(bytes), Max, ref state);
        Assert.Equal([SmtpCommandKind.LineTooLong, SmtpCommandKind.Quit], commands.ConvertAll(c => c.Kind));
        Assert.Equal(bytes.Length, consumed);
        Assert.False(state.IsDiscarding);
    }

    [Fact]
    public void Below_the_limit_without_crlf_nothing_is_consumed()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('x', Max - 1));
        var state = default(SmtpLineState);
        var (commands, consumed) = ParseAll(new ReadOnlySequence<byte>(bytes), Max, ref state);
        Assert.Empty(commands);
        Assert.Equal(0, consumed);
        Assert.False(state.IsDiscarding);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_overlong_line_without_crlf_is_reported_at_once_and_its_rest_discarded(bool crAtReadBoundary)
    {
        // The connection loop: keep what was not consumed, append each read, parse again.
        var start = "RCPT TO:<" + new string('a', Max);
        var reads = crAtReadBoundary
            ? new[] { start + "\r", "\nRSET\r\n", "QUIT\r\n" }
            : [start, new string('b', 3000), "c\r\nRSET\r\nQUIT\r\n"];

        var state = default(SmtpLineState);
        var buffer = new List<byte>();
        var kinds = new List<SmtpCommandKind>();
        foreach (var read in reads)
        {
            buffer.AddRange(Encoding.ASCII.GetBytes(read));
            var (commands, consumed) = ParseAll(new ReadOnlySequence<byte>(buffer.ToArray()), Max, ref state);
            buffer.RemoveRange(0, (int)consumed);
            kinds.AddRange(commands.Select(c => c.Kind));
            Assert.True(buffer.Count < Max, "the buffer stays bounded");
        }

        Assert.Equal([SmtpCommandKind.LineTooLong, SmtpCommandKind.Rset, SmtpCommandKind.Quit], kinds);
        Assert.Empty(buffer);
        Assert.False(state.IsDiscarding);
    }

    [Fact]
    public void A_raised_limit_admits_longer_lines()
    {
        var line = "NOOP " + new string('x', 1000);
        Assert.Equal(SmtpCommandKind.LineTooLong, ParseOne(line).Kind);
        Assert.Equal(SmtpCommandKind.Noop, ParseOne(line, maxLineLength: 2048).Kind);
    }

    [Fact]
    public void A_long_line_split_across_segments_parses_through_the_rented_buffer()
    {
        var bytes = Encoding.ASCII.GetBytes("NOOP " + new string('x', 3000) + "\r\n");
        var state = default(SmtpLineState);
        var (commands, consumed) = ParseAll(BufferSegment.Split(bytes, 1500), 4096, ref state);
        Assert.Equal(SmtpCommandKind.Noop, Assert.Single(commands).Kind);
        Assert.Equal(3005, Assert.Single(commands).Argument!.Length + 5);
        Assert.Equal(bytes.Length, consumed);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        // Bias towards the bytes that matter to framing and paths so the parser's branches are reached.
        var alphabet = "\r\n <>@:.,\"\\[]=-_xyzAIL0123456789"u8.ToArray().Concat(new byte[] { 0, 0x80, 0xC3, 0xFF }).ToArray();
        var interesting = Gen.Int[0, alphabet.Length - 1].Select(i => alphabet[i]);
        string[] verbs = ["MAIL FROM:<", "RCPT TO:<", "EHLO ", "BDAT ", "AUTH ", "VRFY ", "", "NOOP "];
        var prefixes = Gen.Int[0, verbs.Length - 1].Select(i => verbs[i]);
        var body = Gen.Frequency((3, interesting), (1, Gen.Byte)).Array[0, 900];
        var input = Gen.Select(prefixes, body, Gen.Int[8, 700], Gen.Int[0, 1000]);

        input.Sample((prefix, tail, max, split) =>
        {
            var bytes = Encoding.ASCII.GetBytes(prefix).Concat(tail).ToArray();
            var state = default(SmtpLineState);
            ParseAll(BufferSegment.Split(bytes, Math.Min(split, bytes.Length)), max, ref state);
        }, iter: 5_000);
    }
}
