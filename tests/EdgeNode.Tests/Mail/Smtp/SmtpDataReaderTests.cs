using System.Buffers;
using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Mail.Smtp;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>The DATA text reader: dot-unstuffing, limits, bare CR/LF, every prefix and split.</summary>
public sealed class SmtpDataReaderTests
{
    private const int MaxLine = 80;

    private static readonly byte[] Text = Encoding.UTF8.GetBytes(
        "From: a@b.example\r\n" +
        "Subject: grüße\r\n" +
        "\r\n" +
        "..a line that began with a dot\r\n" +
        "...\r\n" +
        "\r\n" +
        "last line\r\n" +
        ".\r\n" +
        "QUIT\r\n");

    private const string Unstuffed =
        "From: a@b.example\r\n" +
        "Subject: grüße\r\n" +
        "\r\n" +
        ".a line that began with a dot\r\n" +
        "..\r\n" +
        "\r\n" +
        "last line\r\n";

    private static readonly int TerminatorEnd = Text.Length - "QUIT\r\n".Length;

    /// <summary>Reads as the session does; returns (done, consumed, text written, state).</summary>
    private static (bool Done, long Consumed, string Written, SmtpDataState State) Read(
        ReadOnlySequence<byte> input, SmtpDataState? start = null)
    {
        var state = start ?? new SmtpDataState(MaxLine, 1000, 10_000);
        var sink = new ArrayBufferWriter<byte>();
        var reader = new SequenceReader<byte>(input);
        var done = SmtpDataReader.TryRead(ref reader, ref state, sink);
        return (done, reader.Consumed, Encoding.UTF8.GetString(sink.WrittenSpan), state);
    }

    [Fact]
    public void Dot_stuffed_lines_are_unstuffed_and_the_terminator_ends_the_text()
    {
        var (done, consumed, written, state) = Read(new ReadOnlySequence<byte>(Text));
        Assert.True(done);
        Assert.Equal(TerminatorEnd, consumed); // the pipelined QUIT is left for the command parser
        Assert.Equal(Unstuffed, written);
        Assert.Equal(SmtpDataError.None, state.Error);
        Assert.Equal(Encoding.UTF8.GetByteCount(Unstuffed), state.MessageBytes);
        Assert.Equal(Encoding.UTF8.GetByteCount("From: a@b.example\r\nSubject: grüße\r\n"), state.HeaderBytes);
    }

    [Fact]
    public void Every_prefix_consumes_only_complete_lines_and_writes_them()
    {
        for (var length = 0; length <= TerminatorEnd; length++)
        {
            var prefix = Text.AsSpan(0, length);
            var lastLineEnd = prefix.LastIndexOf("\r\n"u8);
            var complete = lastLineEnd < 0 ? 0 : lastLineEnd + 2;

            var (done, consumed, written, _) = Read(new ReadOnlySequence<byte>(prefix.ToArray()));

            Assert.Equal(length == TerminatorEnd, done);
            Assert.Equal(complete, consumed);
            var expectedText = Encoding.UTF8.GetString(Text, 0, Math.Min(complete, TerminatorEnd - 3));
            Assert.Equal(Unstuff(expectedText), written);
        }
    }

    [Fact]
    public void Every_split_across_two_segments_reads_identically()
    {
        for (var at = 0; at <= Text.Length; at++)
        {
            var (done, consumed, written, state) = Read(BufferSegment.Split(Text, at));
            Assert.True(done);
            Assert.Equal(TerminatorEnd, consumed);
            Assert.Equal(Unstuffed, written);
            Assert.Equal(SmtpDataError.None, state.Error);
        }
    }

    [Fact]
    public void Fed_in_pieces_of_every_size_the_text_is_the_same()
    {
        for (var piece = 1; piece <= 16; piece++)
        {
            var (written, state, rest) = Feed(Text, piece, new SmtpDataState(MaxLine, 1000, 10_000));
            Assert.Equal(Unstuffed, written);
            Assert.Equal(SmtpDataError.None, state.Error);
            Assert.Equal("QUIT\r\n", rest);
        }
    }

    [Theory]
    [InlineData("a\nb\r\n.\r\n")]
    [InlineData("a\rb\r\n.\r\n")]
    [InlineData("x\r\n\n.\n\r\n.\r\n")] // the SMTP smuggling shape: "\n.\n" must end nothing
    [InlineData("x\r\n.\n\r\n.\r\n")]
    [InlineData("x\r\n\r.\r\n.\r\n")]
    public void Bare_cr_or_lf_is_an_error_reported_at_the_real_terminator(string input)
    {
        var bytes = Encoding.ASCII.GetBytes(input);
        var (done, consumed, _, state) = Read(new ReadOnlySequence<byte>(bytes));
        Assert.True(done);
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(SmtpDataError.BareLineEnding, state.Error);
    }

    [Fact]
    public void A_line_at_the_limit_is_accepted_and_one_octet_more_is_too_long()
    {
        var atLimit = new string('x', MaxLine - 2) + "\r\n";
        var ok = Read(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(atLimit + ".\r\n")));
        Assert.Equal(SmtpDataError.None, ok.State.Error);
        Assert.Equal(atLimit, ok.Written);

        var over = Read(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("x" + atLimit + "next\r\n.\r\n")));
        Assert.True(over.Done);
        Assert.Equal(SmtpDataError.LineTooLong, over.State.Error);
        Assert.Equal(string.Empty, over.Written); // nothing more is written after an error
    }

    [Fact]
    public void The_stuffed_dot_counts_towards_the_line_limit()
    {
        var line = "." + new string('x', MaxLine - 2) + "\r\n.\r\n"; // MaxLine + 1 on the wire
        var result = Read(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line)));
        Assert.Equal(SmtpDataError.LineTooLong, result.State.Error);
    }

    [Fact]
    public void An_overlong_line_without_crlf_is_dropped_as_it_arrives_and_the_buffer_stays_bounded()
    {
        var input = Encoding.ASCII.GetBytes("ok\r\n" + new string('y', 5 * MaxLine) + "\r\nafter\r\n.\r\nNOOP\r\n");
        var (written, state, rest) = Feed(input, 7, new SmtpDataState(MaxLine, 1000, 10_000), maxBuffered: MaxLine);
        Assert.Equal(SmtpDataError.LineTooLong, state.Error);
        Assert.Equal("ok\r\n", written);
        Assert.Equal("NOOP\r\n", rest);
    }

    [Fact]
    public void An_overlong_line_ending_in_cr_at_a_read_boundary_still_ends_at_its_crlf()
    {
        var state = new SmtpDataState(MaxLine, 1000, 10_000);
        var first = Encoding.ASCII.GetBytes(new string('z', MaxLine) + "\r");
        var r1 = Read(new ReadOnlySequence<byte>(first), state);
        Assert.False(r1.Done);
        Assert.Equal(first.Length - 1, r1.Consumed); // the CR is kept: it may begin the CRLF
        Assert.True(r1.State.IsDiscarding);

        var second = Encoding.ASCII.GetBytes("\r\n.\r\n");
        var r2 = Read(new ReadOnlySequence<byte>(second), r1.State);
        Assert.True(r2.Done);
        Assert.Equal(SmtpDataError.LineTooLong, r2.State.Error);
    }

    [Fact]
    public void Header_section_over_the_limit_is_an_error_but_the_body_is_not_counted()
    {
        var header = "X-A: " + new string('h', 40) + "\r\n";
        var big = Read(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(header + header + "\r\nbody\r\n.\r\n")), new SmtpDataState(MaxLine, 90, 10_000));
        Assert.Equal(SmtpDataError.HeaderTooLarge, big.State.Error);

        var body = string.Concat(Enumerable.Repeat(header, 5));
        var ok = Read(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(header + "\r\n" + body + ".\r\n")), new SmtpDataState(MaxLine, 90, 10_000));
        Assert.Equal(SmtpDataError.None, ok.State.Error);
        Assert.Equal(header.Length, ok.State.HeaderBytes);
    }

    [Fact]
    public void A_message_over_the_size_limit_is_read_to_its_end_but_not_kept()
    {
        var text = string.Concat(Enumerable.Repeat("0123456789abcdefghi\r\n", 10)); // 210 bytes
        var limit = new SmtpDataState(MaxLine, 1000, 209);
        var result = Read(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text + ".\r\nQUIT\r\n")), limit);
        Assert.True(result.Done);
        Assert.Equal(SmtpDataError.TooBig, result.State.Error);
        Assert.Equal(text.Length - 21, result.Written.Length); // lines up to the limit, then nothing

        var exact = Read(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text + ".\r\n")), new SmtpDataState(MaxLine, 1000, 210));
        Assert.Equal(SmtpDataError.None, exact.State.Error);
        Assert.Equal(text, exact.Written);
    }

    [Fact]
    public void Empty_text_is_just_the_terminator()
    {
        var result = Read(new ReadOnlySequence<byte>(".\r\n"u8.ToArray()));
        Assert.True(result.Done);
        Assert.Equal(string.Empty, result.Written);
    }

    [Fact]
    public void Random_bytes_never_throw_and_pieces_agree_with_one_read()
    {
        var alphabet = "\r\n.x "u8.ToArray();
        var interesting = Gen.Int[0, alphabet.Length - 1].Select(i => alphabet[i]);
        var bytes = Gen.Frequency((4, interesting), (1, Gen.Byte)).Array[0, 400];
        Gen.Select(bytes, Gen.Int[3, 40], Gen.Int[1, 50], Gen.Int[0, 400]).Sample((input, maxLine, piece, split) =>
        {
            var whole = new SmtpDataState(maxLine, 100, 300);
            var sink = new ArrayBufferWriter<byte>();
            var reader = new SequenceReader<byte>(BufferSegment.Split(input, Math.Min(split, input.Length)));
            var done = SmtpDataReader.TryRead(ref reader, ref whole, sink);

            var (written, state, _) = FeedBytes(input, piece, new SmtpDataState(maxLine, 100, 300));
            if (done)
            {
                Assert.Equal(whole.Error, state.Error);
                Assert.Equal(sink.WrittenSpan.ToArray(), written);
            }
        }, iter: 3_000);
    }

    private static string Unstuff(string text) =>
        string.Concat(text.Split("\r\n").SkipLast(1).Select(l => (l.StartsWith('.') ? l[1..] : l) + "\r\n"));

    /// <summary>Feeds the input in pieces as reads would arrive, keeping only the unconsumed bytes between reads.</summary>
    private static (string Written, SmtpDataState State, string Remainder) Feed(byte[] input, int piece, SmtpDataState state, int maxBuffered = int.MaxValue)
    {
        var (written, final, rest) = FeedBytes(input, piece, state, maxBuffered);
        return (Encoding.UTF8.GetString(written), final, Encoding.UTF8.GetString(rest));
    }

    private static (byte[] Written, SmtpDataState State, byte[] Remainder) FeedBytes(byte[] input, int piece, SmtpDataState state, int maxBuffered = int.MaxValue)
    {
        var sink = new ArrayBufferWriter<byte>();
        var buffer = new List<byte>();
        var offset = 0;
        while (true)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.ToArray()));
            var done = SmtpDataReader.TryRead(ref reader, ref state, sink);
            buffer.RemoveRange(0, (int)reader.Consumed);
            Assert.True(buffer.Count <= maxBuffered, "the unconsumed input stays bounded");
            if (done || offset >= input.Length)
            {
                return (sink.WrittenSpan.ToArray(), state, buffer.Concat(input.Skip(offset)).ToArray());
            }

            var take = Math.Min(piece, input.Length - offset);
            buffer.AddRange(input.AsSpan(offset, take).ToArray());
            offset += take;
        }
    }
}
