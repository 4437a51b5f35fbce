using System.Buffers;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// Reads the text of a DATA command (RFC 5321 §4.1.1.4, §4.5.2): CRLF-terminated lines ending with
/// a line holding a single dot. Pure: no I/O; complete lines are copied, dot-unstuffed, into a sink.
/// </summary>
public static class SmtpDataReader
{
    /// <summary>
    /// Consumes the complete lines buffered in <paramref name="reader"/>, writing each (with its
    /// CRLF, a leading stuffed dot removed) to <paramref name="sink"/> while no error has been met.
    /// <para>Returns true once the terminating "." line has been consumed; the bytes after it are
    /// left unread (the next command may be pipelined behind it). Returns false when more input is
    /// needed: a partial last line is left unconsumed, unless it is already longer than the line
    /// limit, in which case it is consumed (bar a trailing CR) and the rest of the line is dropped
    /// as it arrives, so the caller never buffers more than about one line.</para>
    /// <para>Only CRLF ends a line: a bare CR or LF is an error (RFC 5321 §2.3.8), reported after the
    /// terminator like the other errors so that the session stays in step with the client.</para>
    /// </summary>
    public static bool TryRead(ref SequenceReader<byte> reader, ref SmtpDataState state, IBufferWriter<byte> sink)
    {
        while (true)
        {
            if (state.IsDiscarding)
            {
                if (!reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n"u8, advancePastDelimiter: true))
                {
                    DiscardBuffered(ref reader);
                    return false;
                }

                state.IsDiscarding = false;
                continue;
            }

            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: true))
            {
                // No CRLF in `Remaining` bytes, so the line is longer than that.
                if (reader.Remaining >= state.MaxLineLength)
                {
                    Fail(ref state, SmtpDataError.LineTooLong);
                    DiscardBuffered(ref reader);
                    state.IsDiscarding = true;
                }

                return false;
            }

            if (line.Length == 1 && line.FirstSpan[0] == (byte)'.')
            {
                return true; // RFC 5321 §4.1.1.4: <CRLF>.<CRLF> ends the text
            }

            if (line.Length + 2 > state.MaxLineLength)
            {
                Fail(ref state, SmtpDataError.LineTooLong);
                continue;
            }

            // RFC 5321 §4.5.2: a line that begins with a dot had one added by the client.
            if (!line.IsEmpty && line.FirstSpan[0] == (byte)'.')
            {
                line = line.Slice(1);
            }

            if (line.PositionOf((byte)'\r') is not null || line.PositionOf((byte)'\n') is not null)
            {
                Fail(ref state, SmtpDataError.BareLineEnding);
                continue;
            }

            var lineBytes = line.Length + 2;
            if (state.InHeader)
            {
                if (line.IsEmpty)
                {
                    state.InHeader = false;
                }
                else
                {
                    state.HeaderBytes += lineBytes;
                    if (state.HeaderBytes > state.MaxHeaderBytes)
                    {
                        Fail(ref state, SmtpDataError.HeaderTooLarge);
                    }
                }
            }

            state.MessageBytes += lineBytes;
            if (state.MessageBytes > state.MaxMessageBytes)
            {
                Fail(ref state, SmtpDataError.TooBig);
            }

            if (state.Error == SmtpDataError.None)
            {
                Write(sink, line);
            }
        }
    }

    private static void Write(IBufferWriter<byte> sink, ReadOnlySequence<byte> line)
    {
        var length = (int)line.Length + 2;
        var span = sink.GetSpan(length);
        line.CopyTo(span);
        span[length - 2] = (byte)'\r';
        span[length - 1] = (byte)'\n';
        sink.Advance(length);
    }

    private static void Fail(ref SmtpDataState state, SmtpDataError error)
    {
        if (state.Error == SmtpDataError.None)
        {
            state.Error = error;
        }
    }

    private static void DiscardBuffered(ref SequenceReader<byte> reader)
    {
        // Keep a trailing CR: it may be the first half of the CRLF that ends the line.
        var unread = reader.UnreadSequence;
        var keep = unread.Length > 0 && unread.Slice(unread.Length - 1).FirstSpan[0] == (byte)'\r' ? 1 : 0;
        reader.Advance(unread.Length - keep);
    }
}
