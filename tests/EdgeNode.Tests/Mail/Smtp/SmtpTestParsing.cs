using System.Buffers;
using System.Text;
using EPostEdge.EdgeNode.Mail.Smtp;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>Drives the parser the way the connection loop will, and renders commands for comparison.</summary>
internal static class SmtpTestParsing
{
    public static SmtpCommand ParseOne(string line, int maxLineLength = SmtpCommandParser.DefaultMaxLineLength) =>
        ParseOne(Encoding.UTF8.GetBytes(line + "\r\n"), maxLineLength);

    public static SmtpCommand ParseOne(byte[] bytes, int maxLineLength = SmtpCommandParser.DefaultMaxLineLength)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var state = default(SmtpLineState);
        Assert.True(SmtpCommandParser.TryParseCommand(ref reader, maxLineLength, ref state, out var command));
        Assert.Equal(bytes.Length, reader.Consumed);
        return command;
    }

    /// <summary>Parses until the parser asks for more; returns the commands and the bytes consumed.</summary>
    public static (List<SmtpCommand> Commands, long Consumed) ParseAll(
        ReadOnlySequence<byte> input, int maxLineLength, ref SmtpLineState state)
    {
        var reader = new SequenceReader<byte>(input);
        var commands = new List<SmtpCommand>();
        for (var guard = 0; guard < 100_000; guard++)
        {
            var before = reader.Consumed;
            var wasDiscarding = state.IsDiscarding;
            if (!SmtpCommandParser.TryParseCommand(ref reader, maxLineLength, ref state, out var command))
            {
                if (!wasDiscarding)
                {
                    Assert.Equal(before, reader.Consumed); // incomplete: nothing consumed
                }

                return (commands, reader.Consumed);
            }

            Assert.True(reader.Consumed > before, "a parsed command must consume input");
            commands.Add(command);
        }

        throw new InvalidOperationException("the parser did not stop");
    }

    public static string Describe(SmtpCommand c) =>
        string.Join('|',
            c.Kind,
            c.Argument,
            c.InitialResponse,
            c.Path is null ? "-" : $"{c.Path.LocalPart}@{c.Path.Domain}/null={c.Path.IsNull}/utf8={c.Path.IsUtf8}",
            string.Join(',', c.Parameters.Select(p => p.Value is null ? p.Key : $"{p.Key}={p.Value}")),
            c.ChunkSize,
            c.IsLast,
            c.DeclaredSize,
            c.Body,
            c.RequestsSmtpUtf8,
            c.ErrorReason);
}
