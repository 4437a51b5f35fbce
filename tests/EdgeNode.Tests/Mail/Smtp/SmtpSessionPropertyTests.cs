using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Mail.Smtp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>Whatever a client sends, a session ends cleanly when the client goes away.</summary>
public sealed class SmtpSessionPropertyTests
{
    private static readonly string[] Tokens =
    [
        "EHLO c.example\r\n", "HELO c.example\r\n", "MAIL FROM:<a@far.example>\r\n", "MAIL FROM:<> SIZE=5\r\n",
        "RCPT TO:<alice@home.example>\r\n", "RCPT TO:<x@far.example>\r\n", "DATA\r\n", "BDAT 3\r\n", "BDAT 0 LAST\r\n",
        "BDAT 5 LAST\r\n", "AUTH PLAIN\r\n", "AUTH LOGIN\r\n", "AUTH PLAIN AGFsaWNlQGhvbWUuZXhhbXBsZQBzZWNyZXQ5OQ==\r\n",
        "*\r\n", "RSET\r\n", "NOOP\r\n", "STARTTLS\r\n", ".\r\n", "..\r\n", "\r\n", "\n", "\r", "x", ".", "QUIT\r\n",
    ];

    [Fact]
    public async Task Random_conversations_never_throw_and_always_end()
    {
        // One real store for all the samples (opening one per sample would dominate the run).
        await using var store = await SmtpTestClient.DefaultStore();
        var token = Gen.Int[0, Tokens.Length - 1].Select(i => Encoding.UTF8.GetBytes(Tokens[i]));
        var noise = Gen.Byte.Array[1, 40];
        var piece = Gen.Frequency((4, token), (1, noise));
        var conversation = piece.Array[0, 40].Select(pieces => pieces.SelectMany(p => p).ToArray());

        Gen.Select(conversation, Gen.Bool, Gen.Int[1, 64]).Sample((bytes, secure, chunk) =>
        {
            RunAsync(store, bytes, secure, chunk).GetAwaiter().GetResult();
        }, iter: 300);
    }

    private static async Task RunAsync(SmtpTestStore store, byte[] bytes, bool secure, int chunk)
    {
        var connection = new PipeConnection(secure);
        var options = SmtpTestClient.DefaultOptions();
        options.MaxLineLength = 50;
        options.MaxMessageBytes = 200;
        var server = new SmtpServer(store, options, SmtpPortKind.Receiving, new FakeTimeProvider(), NullLogger<SmtpServer>.Instance);
        var session = server.RunSessionAsync(connection, CancellationToken.None);

        // Drain the replies concurrently so the server never waits on a full pipe.
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                var result = await connection.ClientInput.ReadAsync();
                connection.ClientInput.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });

        for (var offset = 0; offset < bytes.Length; offset += chunk)
        {
            await connection.ClientOutput.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)));
        }

        await connection.ClientOutput.CompleteAsync();
        await session.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard: the session must end at end of input
        await connection.DisposeAsync();
        await drain.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
