using EPostEdge.EdgeNode.Mail.Mailbox;
using static EPostEdge.EdgeNode.Tests.Mail.Smtp.SmtpSessionTests;
using static EPostEdge.EdgeNode.Tests.Mail.Smtp.SmtpTestClient;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>Floods, error runs, timeouts (RFC 5321 §4.5.3.2), shutdown, PIPELINING, and what the store's answers become.</summary>
public sealed class SmtpSessionLimitTests
{
    [Fact]
    public async Task A_command_flood_is_cut_off_with_421()
    {
        await using var client = await StartAsync(configure: o => o.MaxCommandsPerSession = 5);
        await client.SendAsync(string.Concat(Enumerable.Repeat("NOOP\r\n", 8)));
        await client.ExpectAsync(string.Concat(Enumerable.Repeat("250 2.0.0 OK\r\n", 5))
            + "421 4.7.0 mx.home.example Too many commands, closing connection\r\n");
        await client.ExpectEndAsync();
    }

    [Fact]
    public async Task A_run_of_errors_closes_the_session_but_a_success_resets_the_count()
    {
        await using var client = await StartAsync(configure: o => o.MaxErrorsPerSession = 3);
        await client.ExchangeAsync("X1\r\nX2\r\nNOOP\r\n", "500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n250 2.0.0 OK\r\n");
        await client.ExchangeAsync("X3\r\nX4\r\nX5\r\nNOOP\r\n",
            "500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n" +
            "421 4.7.0 mx.home.example Too many errors, closing connection\r\n");
        await client.ExpectEndAsync();
    }

    [Fact]
    public async Task A_silent_client_times_out_after_the_command_timeout()
    {
        await using var client = await StartAsync(configure: o => o.CommandTimeoutSeconds = 300);
        client.Time.Advance(TimeSpan.FromSeconds(299));
        Assert.False(client.HasUnreadReply());
        Assert.False(client.Session.IsCompleted);
        client.Time.Advance(TimeSpan.FromSeconds(1));
        await client.ExpectAsync("421 4.4.2 mx.home.example Timeout, closing connection\r\n");
        await client.ExpectEndAsync();
    }

    [Fact]
    public async Task Each_command_restarts_the_command_timeout()
    {
        await using var client = await StartAsync(configure: o => o.CommandTimeoutSeconds = 300);
        client.Time.Advance(TimeSpan.FromSeconds(200));
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        client.Time.Advance(TimeSpan.FromSeconds(200));
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        Assert.False(client.Session.IsCompleted);
    }

    [Fact]
    public async Task A_stalled_data_transfer_times_out_after_the_data_timeout()
    {
        await using var client = await StartAsync(configure: o =>
        {
            o.CommandTimeoutSeconds = 300;
            o.DataTimeoutSeconds = 600;
        });
        await OpenTransactionAsync(client);
        await SendAndWaitForNextReadAsync(client, "Subject: partial\r\n");
        client.Time.Advance(TimeSpan.FromSeconds(599));
        Assert.False(client.HasUnreadReply());
        await SendAndWaitForNextReadAsync(client, "more\r\n"); // each chunk of data restarts the timer
        client.Time.Advance(TimeSpan.FromSeconds(599));
        Assert.False(client.HasUnreadReply());
        client.Time.Advance(TimeSpan.FromSeconds(1));
        await client.ExpectAsync("421 4.4.2 mx.home.example Timeout, closing connection\r\n");
        await client.ExpectEndAsync();
        Assert.Empty(client.Store.Deliveries);
    }

    [Fact]
    public async Task Shutdown_says_421_and_closes()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        client.Shutdown();
        await client.ExpectAsync("421 4.3.0 mx.home.example Service shutting down, closing connection\r\n");
        await client.ExpectEndAsync();
    }

    [Fact]
    public async Task A_pipelined_batch_is_answered_in_one_write()
    {
        var connection = new ScriptedTlsConnection(canStartTls: false);
        await using var client = await StartAsync(connection, connection.ClientOutput, connection.ClientInput);
        await client.ExchangeAsync("EHLO client.example\r\n", EhloWithoutAuth());
        var before = connection.Flushes;
        await client.SendAsync(
            "MAIL FROM:<carol@far.example>\r\n" +
            "RCPT TO:<alice@home.example>\r\n" +
            "RCPT TO:<nobody@home.example>\r\n" +
            "RCPT TO:<bob@home.example>\r\n" +
            "DATA\r\n");
        await client.ExpectAsync(
            "250 2.1.0 Sender OK\r\n" +
            "250 2.1.5 Recipient OK\r\n" +
            "550 5.1.1 No such user here\r\n" +
            "250 2.1.5 Recipient OK\r\n" +
            "354 End data with <CR><LF>.<CR><LF>\r\n");
        Assert.Equal(before + 1, connection.Flushes);

        // RFC 2920 §3.1: commands may follow the end of the data in the same batch.
        await client.SendAsync("hello\r\n.\r\nRSET\r\nQUIT\r\n");
        await client.ExpectAsync($"250 2.0.0 OK id={FirstSessionId}.1\r\n250 2.0.0 OK\r\n221 2.0.0 mx.home.example closing connection\r\n");
        await client.ExpectEndAsync();
        Assert.Equal(["alice@home.example", "bob@home.example"], Assert.Single(client.Store.Deliveries).Recipients);
    }

    [Fact]
    public async Task A_long_batch_is_flushed_in_bounded_pieces()
    {
        var connection = new ScriptedTlsConnection(canStartTls: false);
        await using var client = await StartAsync(connection, connection.ClientOutput, connection.ClientInput);
        var before = connection.Flushes;
        await client.SendAsync(string.Concat(Enumerable.Repeat("NOOP\r\n", 3000)));
        await client.ExpectAsync(string.Concat(Enumerable.Repeat("250 2.0.0 OK\r\n", 3000)));
        Assert.True(connection.Flushes - before >= 3, $"{connection.Flushes - before} flushes for 42000 bytes of replies");
    }

    [Fact]
    public async Task The_250_to_data_is_sent_only_after_delivery_completed()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = await DefaultStore();
        store.DeliveryGate = gate.Task;
        await using var client = await StartAsync(store: store);
        await OpenTransactionAsync(client);
        await client.SendAsync("Subject: durable\r\n\r\n.\r\n");
        await store.DeliveryStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(client.HasUnreadReply()); // the delivery is not durable yet: no reply
        Assert.Empty(store.Deliveries);

        gate.SetResult();
        await client.ExpectAsync($"250 2.0.0 OK id={FirstSessionId}.1\r\n");
        Assert.Single(store.Deliveries);
    }

    [Fact]
    public async Task Over_quota_is_a_temporary_452_and_the_session_continues()
    {
        // A real quota: the users' folder logs fit, a 112 kB message does not, a small one does.
        var store = await SmtpTestStore.OpenAsync(quotaBytes: 64 * 1024);
        await using var client = await StartAsync(store: store);
        await OpenTransactionAsync(client);
        var big = string.Concat(Enumerable.Repeat(new string('x', 78) + "\r\n", 1400)); // 112000 bytes in RFC 5322 lines
        await client.ExchangeAsync(big + ".\r\n", "452 4.3.1 Insufficient system storage\r\n");
        Assert.Empty(store.Deliveries);
        Assert.Null(await store.NewestInboxMessageAsync("alice"));

        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync("x\r\n.\r\n", $"250 2.0.0 OK id={FirstSessionId}.2\r\n");
        Assert.EndsWith("\r\nx\r\n", Assert.Single(store.Deliveries).Text);
    }

    [Fact]
    public async Task Too_big_for_the_store_is_552_and_an_unexpected_failure_is_451()
    {
        var store = await DefaultStore();
        store.DeliveryFailure = new MailboxException(MailboxErrorKind.TooBig, "big");
        await using var client = await StartAsync(store: store);
        await OpenTransactionAsync(client);
        await client.ExchangeAsync("x\r\n.\r\n", "552 5.3.4 Message too big for system\r\n");

        store.DeliveryFailure = new InvalidOperationException("disk on fire");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\nRCPT TO:<alice@home.example>\r\nDATA\r\n",
            "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync("x\r\n.\r\n", "451 4.3.0 Local error in processing\r\n");
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_data_delivers_nothing()
    {
        await using var client = await StartAsync();
        await OpenTransactionAsync(client);
        await client.SendAsync("Subject: cut\r\n\r\nhalf");
        await client.EndInputAsync();
        await client.ExpectEndAsync(); // no reply: there is nobody to hear it
        Assert.Empty(client.Store.Deliveries);
    }

    /// <summary>Sends, then waits until the session has read it and armed the timeout of its next read.</summary>
    private static async Task SendAndWaitForNextReadAsync(SmtpTestClient client, string text)
    {
        var timers = client.Time.TimersCreated;
        await client.SendAsync(text);
        await client.Time.WaitForTimersAsync(timers + 1);
    }

    internal static string EhloWithoutAuth() =>
        "250-mx.home.example\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n";
}
