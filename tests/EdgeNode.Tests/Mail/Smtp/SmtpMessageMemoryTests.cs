using System.Text;
using EPostEdge.EdgeNode.Mail.Smtp;
using static EPostEdge.EdgeNode.Tests.Mail.Smtp.SmtpTestClient;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>The node-wide bound on SMTP message buffers (Budget:SmtpMessageMemory): 452 4.3.1, never an out-of-memory.</summary>
public sealed class SmtpMessageMemoryTests
{
    [Fact]
    public void A_buffer_takes_from_the_bound_as_it_grows_overflows_past_it_and_gives_everything_back()
    {
        var memory = new MessageMemory(64 * 1024);
        using (var small = new SmtpMessageBuffer(memory))
        {
            Assert.Equal(16 * 1024, memory.TakenBytes);
            using var large = new SmtpMessageBuffer(memory);
            var line = Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n");
            for (var i = 0; i < 100; i++)
            {
                line.CopyTo(large.GetSpan(line.Length));
                large.Advance(line.Length);
            }

            Assert.True(large.Overflowed);
            Assert.True(large.Length <= 48 * 1024, $"{large.Length} bytes kept past the bound");
            Assert.False(small.Overflowed);
            Assert.True(memory.TakenBytes <= memory.CapacityBytes);
        }

        Assert.Equal(0, memory.TakenBytes);
    }

    [Fact]
    public async Task A_message_past_the_bound_is_read_to_its_end_and_answered_452_and_the_next_one_fits()
    {
        var memory = new MessageMemory(64 * 1024);
        await using var client = await StartAsync(memory: memory);
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        var big = new StringBuilder("Subject: big\r\n\r\n");
        for (var i = 0; i < 200; i++)
        {
            big.Append(new string('y', 998)).Append("\r\n");
        }

        await client.ExchangeAsync(big + ".\r\n", "452 4.3.1 Insufficient system storage: message memory in use, try again later\r\n");
        Assert.Equal(0, memory.TakenBytes);
        Assert.Empty(client.Store.Deliveries);

        // The session goes on; a message that fits is delivered.
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync("Subject: small\r\n\r\nhello\r\n.\r\n", $"250 2.0.0 OK id={FirstSessionId}.2\r\n");
        Assert.Single(client.Store.Deliveries);
    }

    [Fact]
    public async Task A_MAIL_whose_SIZE_does_not_fit_now_gets_452_at_once()
    {
        var memory = new MessageMemory(64 * 1024);
        await using var client = await StartAsync(memory: memory);
        await client.ExchangeAsync("EHLO client.example\r\n", "250-mx.home.example\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example> SIZE=500000\r\n", "452 4.3.1 Insufficient system storage: message memory in use, try again later\r\n");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example> SIZE=5000\r\n", "250 2.1.0 Sender OK\r\n");
    }

    [Fact]
    public async Task A_BDAT_chunk_past_the_bound_fails_the_transaction_with_452()
    {
        var memory = new MessageMemory(32 * 1024);
        await using var client = await StartAsync(memory: memory);
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        var chunk = new string('z', 40 * 1024);
        await client.ExchangeAsync($"BDAT {chunk.Length}\r\n{chunk}", "452 4.3.1 Insufficient system storage: message memory in use, try again later\r\n");
        await client.ExchangeAsync("BDAT 5 LAST\r\nhello", "503 5.5.1 Need MAIL command\r\n");
        Assert.Equal(0, memory.TakenBytes);
    }
}
