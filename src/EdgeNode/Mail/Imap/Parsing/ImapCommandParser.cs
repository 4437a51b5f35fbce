using System.Buffers;
using System.Text;

namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>
/// Frames and tokenises IMAP commands (RFC 9051 §2.2.1, §4, §9) from buffered bytes. Pure: no
/// I/O. A command is consumed only once it is whole, literals included; until then nothing is.
/// </summary>
public static class ImapCommandParser
{
    private const int MaxTagLength = 64;

    /// <summary>
    /// Reads one command.
    /// <para><see cref="ImapParseStatus.Incomplete"/>: more bytes are needed; nothing consumed.
    /// <see cref="ImapParseStatus.NeedsContinuation"/>: likewise, and the client waits for a
    /// continuation request before sending the synchronising literal numbered
    /// <paramref name="pendingLiteral"/> (0-based within the command): the loop sends <c>+</c> once
    /// per literal. <see cref="ImapParseStatus.Complete"/>: the command (possibly a framing error
    /// with <see cref="ImapCommand.Error"/> set) was consumed.</para>
    /// <para>A line over <paramref name="maxLineLength"/> octets (CRLF included, literal octets not)
    /// or a literal over <paramref name="maxLiteralBytes"/> is reported as an error. A synchronising
    /// literal that is too big is refused before the client sends it; a non-synchronising one
    /// (RFC 7888 §4) and the rest of an overlong line are discarded through
    /// <paramref name="state"/> as they arrive (the only case where bytes are consumed without a
    /// command being returned).</para>
    /// </summary>
    public static ImapParseStatus TryParseCommand(
        ref SequenceReader<byte> reader,
        int maxLineLength,
        long maxLiteralBytes,
        ref ImapParserState state,
        out ImapCommand? command,
        out int pendingLiteral)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 16);
        command = null;
        pendingLiteral = 0;

        if (!Discard(ref reader, ref state))
        {
            return ImapParseStatus.Incomplete;
        }

        var scan = reader;
        var literals = 0;
        while (true)
        {
            var lineStart = scan.Consumed;
            if (!scan.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: true))
            {
                if (scan.Remaining >= maxLineLength)
                {
                    command = ImapCommand.Failed(ReadTag(reader), ImapCommandError.LineTooLong, "Command line too long");
                    var keep = EndsWithCr(reader) ? 1 : 0;
                    reader.Advance(reader.Remaining - keep);
                    state.DiscardLine = true;
                    return ImapParseStatus.Complete;
                }

                return ImapParseStatus.Incomplete;
            }

            if (scan.Consumed - lineStart > maxLineLength)
            {
                command = ImapCommand.Failed(ReadTag(reader), ImapCommandError.LineTooLong, "Command line too long");
                reader.Advance(scan.Consumed - reader.Consumed);
                return ImapParseStatus.Complete;
            }

            var literal = LiteralAtEnd(line, out var synchronising, out var tooBig);
            if (literal < 0 && !tooBig)
            {
                break; // the command ends with this line
            }

            if (tooBig || literal > maxLiteralBytes)
            {
                command = ImapCommand.Failed(ReadTag(reader), ImapCommandError.LiteralTooBig, "Literal too big");
                reader.Advance(scan.Consumed - reader.Consumed);
                if (!synchronising)
                {
                    // RFC 7888 §4: the client sends a LITERAL+ literal without waiting; drop it and the rest of its command.
                    state.DiscardBytes = tooBig ? long.MaxValue : literal;
                    state.DiscardLine = true;
                    Discard(ref reader, ref state);
                }

                return ImapParseStatus.Complete;
            }

            if (scan.Remaining < literal)
            {
                pendingLiteral = literals;
                return synchronising ? ImapParseStatus.NeedsContinuation : ImapParseStatus.Incomplete;
            }

            scan.Advance(literal);
            literals++;
        }

        var bytes = reader.Sequence.Slice(reader.Position, scan.Position);
        reader.Advance(scan.Consumed - reader.Consumed);
        command = ImapTokenizer.Tokenize(bytes);
        return ImapParseStatus.Complete;
    }

    /// <summary>
    /// Reads one CRLF-terminated line (AUTHENTICATE responses, IDLE's DONE); false and nothing
    /// consumed while incomplete. A line over <paramref name="maxLineLength"/> is returned as null.
    /// </summary>
    public static bool TryReadLine(ref SequenceReader<byte> reader, int maxLineLength, out string? line)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> bytes, "\r\n"u8, advancePastDelimiter: true))
        {
            line = null;
            if (reader.Remaining >= maxLineLength)
            {
                reader.Advance(reader.Remaining);
                return true;
            }

            return false;
        }

        line = bytes.Length + 2 > maxLineLength ? null : Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>Drops bytes the state says to drop; true when done (the command after them may be parsed).</summary>
    private static bool Discard(ref SequenceReader<byte> reader, ref ImapParserState state)
    {
        if (state.DiscardBytes > 0)
        {
            var skip = Math.Min(state.DiscardBytes, reader.Remaining);
            reader.Advance(skip);
            state.DiscardBytes -= skip;
            if (state.DiscardBytes > 0)
            {
                return false;
            }
        }

        if (state.DiscardLine)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n"u8, advancePastDelimiter: true))
            {
                var keep = EndsWithCr(reader) ? 1 : 0;
                reader.Advance(reader.Remaining - keep);
                return false;
            }

            state.DiscardLine = false;
        }

        return true;
    }

    private static bool EndsWithCr(SequenceReader<byte> reader) =>
        reader.Remaining > 0 && reader.Sequence.Slice(reader.Sequence.Length - 1).FirstSpan[0] == (byte)'\r';

    /// <summary>The tag at the start of a refused command, so the BAD can carry it (RFC 9051 §7.1.3).</summary>
    private static string ReadTag(SequenceReader<byte> reader)
    {
        Span<byte> buffer = stackalloc byte[MaxTagLength + 1];
        var n = (int)Math.Min(buffer.Length, reader.Remaining);
        reader.TryCopyTo(buffer[..n]);
        var end = buffer[..n].IndexOf((byte)' ');
        if (end <= 0)
        {
            return "*";
        }

        foreach (var b in buffer[..end])
        {
            if (!ImapTokenizer.IsTagChar(b))
            {
                return "*";
            }
        }

        return Encoding.ASCII.GetString(buffer[..end]);
    }

    /// <summary>
    /// The octet count of a literal announced at the end of <paramref name="line"/>
    /// (<c>{n}</c>, <c>{n+}</c>, <c>~{n}</c>), or -1.
    /// </summary>
    private static long LiteralAtEnd(ReadOnlySequence<byte> line, out bool synchronising, out bool tooBig)
    {
        synchronising = true;
        tooBig = false;
        Span<byte> tail = stackalloc byte[24];
        var n = (int)Math.Min(tail.Length, line.Length);
        line.Slice(line.Length - n).CopyTo(tail);
        tail = tail[..n];
        if (n < 3 || tail[^1] != (byte)'}')
        {
            return -1;
        }

        var end = n - 1;
        if (tail[end - 1] == (byte)'+')
        {
            synchronising = false;
            end--;
        }

        var start = end;
        while (start > 0 && tail[start - 1] is >= (byte)'0' and <= (byte)'9')
        {
            start--;
        }

        if (start == end || start == 0 || tail[start - 1] != (byte)'{')
        {
            synchronising = true;
            return -1;
        }

        var digits = tail[start..end];
        if (digits.Length > 18)
        {
            tooBig = true;
            return -1;
        }

        long value = 0;
        foreach (var d in digits)
        {
            value = (value * 10) + (d - '0');
        }

        return value;
    }
}
