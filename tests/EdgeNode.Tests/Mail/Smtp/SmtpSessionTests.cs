using EPostEdge.EdgeNode.Mail.Smtp;
using static EPostEdge.EdgeNode.Tests.Mail.Smtp.SmtpTestClient;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>Scripted conversations: greeting, EHLO/HELO, the mail transaction, RSET/NOOP/VRFY/QUIT, bad commands.</summary>
public sealed class SmtpSessionTests
{
    private const string EhloPlain =
        "250-mx.home.example\r\n" +
        "250-PIPELINING\r\n" +
        "250-SIZE 1000000\r\n" +
        "250-8BITMIME\r\n" +
        "250-SMTPUTF8\r\n" +
        "250-ENHANCEDSTATUSCODES\r\n" +
        "250 CHUNKING\r\n";

    private const string Date = "Sat, 01 Jan 2000 00:00:00 +0000";

    [Fact]
    public async Task Ehlo_lists_the_extensions_and_no_auth_on_plaintext()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("EHLO client.example\r\n", EhloPlain);
        await client.ExchangeAsync("AUTH PLAIN AGFsaWNlQGhvbWUuZXhhbXBsZQBzZWNyZXQ5OQ==\r\n",
            "538 5.7.11 Encryption required for requested authentication mechanism\r\n");
        await client.ExchangeAsync("QUIT\r\n", "221 2.0.0 mx.home.example closing connection\r\n");
        await client.ExpectEndAsync();
        Assert.Empty(client.Store.Logins); // the password was never looked at
    }

    [Fact]
    public async Task Helo_gets_the_host_name_and_a_second_ehlo_is_allowed()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("EHLO client.example\r\n", EhloPlain);
        await client.ExchangeAsync("EHLO again.example\r\n", EhloPlain);
    }

    [Fact]
    public async Task Mail_before_hello_is_out_of_sequence()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("MAIL FROM:<a@b.example>\r\n", "503 5.5.1 Send HELO or EHLO first\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "503 5.5.1 Need MAIL before RCPT\r\n");
        await client.ExchangeAsync("DATA\r\n", "503 5.5.1 Need MAIL command\r\n");
    }

    [Fact]
    public async Task A_message_is_dot_unstuffed_traced_and_delivered_before_250()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("EHLO client.example\r\n", EhloPlain);
        await client.ExchangeAsync("MAIL FROM:<carol@far.example> BODY=8BITMIME\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync(
            "Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.\r\n",
            $"250 2.0.0 OK id={FirstSessionId}.1\r\n");

        var delivery = Assert.Single(client.Store.Deliveries);
        Assert.Equal("carol@far.example", delivery.From);
        Assert.Equal(["alice@home.example"], delivery.Recipients);
        Assert.Equal(
            "Received: from client.example ([127.0.0.1])\r\n" +
            $"\tby mx.home.example with ESMTP id {FirstSessionId}.1\r\n" +
            "\tfor <alice@home.example>;\r\n" +
            $"\t{Date}\r\n" +
            "Subject: hi\r\n\r\n.leading dot\r\nbody\r\n",
            delivery.Text);
    }

    [Fact]
    public async Task A_conversation_sent_one_byte_at_a_time_is_understood()
    {
        await using var client = await StartAsync();
        var script = "HELO client.example\r\nMAIL FROM:<carol@far.example>\r\nRCPT TO:<alice@home.example>\r\nDATA\r\n" +
            "Subject: slow\r\n\r\n..dot\r\n.\r\nBDAT 6\r\nQUIT\r\nNOOP\r\n";
        foreach (var b in System.Text.Encoding.ASCII.GetBytes(script))
        {
            await client.SendAsync([b]);
        }

        await client.ExpectAsync(
            "250 mx.home.example\r\n250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n" +
            $"250 2.0.0 OK id={FirstSessionId}.1\r\n503 5.5.1 Need MAIL command\r\n250 2.0.0 OK\r\n");
        Assert.EndsWith("\r\nSubject: slow\r\n\r\n.dot\r\n", Assert.Single(client.Store.Deliveries).Text);
    }

    [Fact]
    public async Task Several_recipients_and_the_null_sender_are_delivered_without_a_for_clause()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("MAIL FROM:<>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("RCPT TO:<BOB@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync("x\r\n.\r\n", $"250 2.0.0 OK id={FirstSessionId}.1\r\n");

        var delivery = Assert.Single(client.Store.Deliveries);
        Assert.Equal(string.Empty, delivery.From);
        Assert.Equal(["alice@home.example", "BOB@home.example"], delivery.Recipients); // a repeat is delivered once
        Assert.StartsWith($"Received: from client.example ([127.0.0.1])\r\n\tby mx.home.example with SMTP id {FirstSessionId}.1;\r\n", delivery.Text);
    }

    [Fact]
    public async Task Postmaster_without_a_domain_or_at_a_local_domain_is_accepted_without_such_a_user()
    {
        // RFC 5321 §4.5.1: both forms must be accepted; no user has either address here.
        await using var client = await StartAsync();
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<Postmaster>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("RCPT TO:<postmaster@HOME.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("RCPT TO:<postmaster@far.example>\r\n", "550 5.7.1 Relaying denied\r\n"); // not ours
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync("Subject: abuse\r\n\r\nreport\r\n.\r\n", $"250 2.0.0 OK id={FirstSessionId}.1\r\n");

        var delivery = Assert.Single(client.Store.Deliveries);
        Assert.Equal(["Postmaster", "postmaster@HOME.example"], delivery.Recipients);
        // One copy, to the first user by name (alice), read back from her INBOX; none for bob.
        Assert.Equal(delivery.Text, await client.Store.NewestInboxMessageAsync("alice"));
        Assert.EndsWith("\r\nSubject: abuse\r\n\r\nreport\r\n", delivery.Text);
        Assert.Null(await client.Store.NewestInboxMessageAsync("bob"));
    }

    [Fact]
    public async Task Unknown_local_user_gets_5_1_1_and_relay_is_denied_without_auth()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("EHLO client.example\r\n", EhloPlain);
        await client.ExchangeAsync("MAIL FROM:<spam@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<nobody@home.example>\r\n", "550 5.1.1 No such user here\r\n");
        await client.ExchangeAsync("RCPT TO:<victim@elsewhere.example>\r\n", "550 5.7.1 Relaying denied\r\n");
        await client.ExchangeAsync("DATA\r\n", "554 5.5.1 No valid recipients\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("RSET\r\n", "250 2.0.0 OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "503 5.5.1 Need MAIL before RCPT\r\n");
        Assert.Empty(client.Store.Deliveries);
    }

    [Fact]
    public async Task Rset_noop_vrfy_and_quit()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        await client.ExchangeAsync("NOOP anything\r\n", "250 2.0.0 OK\r\n");
        await client.ExchangeAsync("RSET\r\n", "250 2.0.0 OK\r\n");
        await client.ExchangeAsync("VRFY alice\r\n", "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\r\n");
        await client.ExchangeAsync("QUIT\r\n", "221 2.0.0 mx.home.example closing connection\r\n");
        await client.ExpectEndAsync();
    }

    [Fact]
    public async Task Bad_commands_get_500_or_501_and_the_session_continues()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("FOO bar\r\n", "500 5.5.1 Command unrecognized\r\n");
        await client.ExchangeAsync("EHLO\r\n", "501 5.5.4 Domain name required\r\n");
        await client.ExchangeAsync("EHLO client.example\r\n", EhloPlain);
        await client.ExchangeAsync("MAIL FROM:a@b.example\r\n", "501 5.5.4 Address must be enclosed in <>\r\n");
        await client.ExchangeAsync("MAIL FROM:<a@b.example> NOTIFY=NEVER\r\n", "555 5.5.4 Unsupported parameter NOTIFY\r\n");
        await client.ExchangeAsync("MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n", "555 5.5.4 BODY=BINARYMIME is not supported\r\n");
        await client.ExchangeAsync("MAIL FROM:<jöran@b.example>\r\n", "553 5.6.7 Non-ASCII address needs SMTPUTF8\r\n");
        await client.ExchangeAsync("DATA extra\r\n", "501 5.5.4 No parameters allowed\r\n");
        await client.ExchangeAsync("NOOP x\nQUIT\r\n", "501 5.5.4 Bare CR or LF in command line\r\n");
        await client.ExchangeAsync("STARTTLS\r\n", "502 5.5.1 STARTTLS not available\r\n");
        await client.ExchangeAsync("MAIL FROM:<a@b.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("MAIL FROM:<a@b.example>\r\n", "503 5.5.1 Nested MAIL command\r\n");
    }

    [Fact]
    public async Task Smtputf8_addresses_are_accepted_with_the_parameter()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("EHLO client.example\r\n", EhloPlain);
        await client.ExchangeAsync("MAIL FROM:<grüße@far.example> SMTPUTF8\r\n", "250 2.1.0 Sender OK\r\n");
        // Past the SMTPUTF8 check (no 553 5.6.7), the store has no user with a non-ASCII address.
        await client.ExchangeAsync("RCPT TO:<jöran@home.example>\r\n", "550 5.1.1 No such user here\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync("Subject: ü\r\n\r\n.\r\n", $"250 2.0.0 OK id={FirstSessionId}.1\r\n");
        var delivery = Assert.Single(client.Store.Deliveries);
        Assert.Equal("grüße@far.example", delivery.From);
        Assert.Contains("with UTF8SMTP id", delivery.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlong_command_line_is_refused_and_dropped_and_the_next_command_runs()
    {
        await using var client = await StartAsync();
        await client.SendAsync("NOOP " + new string('x', SmtpSession.CommandLineLimit * 2));
        await client.ExpectAsync("500 5.5.2 Line too long\r\n");
        await client.SendAsync("yyy\r\nNOOP\r\n");
        await client.ExpectAsync("250 2.0.0 OK\r\n");
    }

    [Fact]
    public async Task A_data_line_over_the_limit_rejects_the_message_after_the_dot_and_the_session_continues()
    {
        await using var client = await StartAsync(configure: o => o.MaxLineLength = 100);
        await OpenTransactionAsync(client);
        await client.SendAsync("short\r\n" + new string('x', 5000) + "\r\nmore\r\n.\r\n");
        await client.ExpectAsync("500 5.5.2 Line too long\r\n");
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "503 5.5.1 Need MAIL before RCPT\r\n"); // the transaction ended
        Assert.Empty(client.Store.Deliveries);
    }

    [Fact]
    public async Task A_message_over_size_is_refused_at_mail_or_after_its_data()
    {
        await using var client = await StartAsync(configure: o => o.MaxMessageBytes = 1000);
        await client.SendAsync("EHLO client.example\r\n");
        await client.ReadAsync(EhloPlain.Length - 3); // SIZE 1000 is three digits shorter
        await client.ExchangeAsync("MAIL FROM:<a@far.example> SIZE=1001\r\n", "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
        await client.ExchangeAsync("MAIL FROM:<a@far.example> SIZE=1000\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        var line = new string('z', 98) + "\r\n";
        await client.SendAsync(string.Concat(Enumerable.Repeat(line, 11)) + ".\r\nNOOP\r\n");
        await client.ExpectAsync("552 5.3.4 Message size exceeds fixed maximum message size\r\n250 2.0.0 OK\r\n");
        Assert.Empty(client.Store.Deliveries);
    }

    [Fact]
    public async Task Bare_lf_in_the_data_is_refused_as_smuggling()
    {
        await using var client = await StartAsync();
        await OpenTransactionAsync(client);
        // RFC 5321 §2.3.8: "\n.\n" must neither end the data nor let a second message through.
        await client.SendAsync("Subject: a\r\n\r\nx\n.\nMAIL FROM:<evil@far.example>\r\n.\r\n");
        await client.ExpectAsync("554 5.6.0 Bare CR or LF in message text\r\n");
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        Assert.Empty(client.Store.Deliveries);
    }

    [Fact]
    public async Task Bdat_chunks_are_joined_and_delivered_on_last()
    {
        await using var client = await StartAsync();
        await OpenTransactionAsync(client, data: false);
        await client.ExchangeAsync("BDAT 11\r\nSubject: x\r", "250 2.0.0 11 octets received\r\n");
        await client.ExchangeAsync("BDAT 11 LAST\r\n\n\r\n.hello\r\n", $"250 2.0.0 OK id={FirstSessionId}.1\r\n");
        var delivery = Assert.Single(client.Store.Deliveries);
        Assert.EndsWith($"\t{Date}\r\nSubject: x\r\n\r\n.hello\r\n", delivery.Text); // no dot-unstuffing in BDAT
        await client.ExchangeAsync("BDAT 0 LAST\r\n", "503 5.5.1 Need MAIL command\r\n");
    }

    [Fact]
    public async Task A_refused_bdat_chunk_is_still_read_and_never_executed()
    {
        await using var client = await StartAsync();
        await client.ExchangeAsync("BDAT 6\r\nQUIT\r\n", "503 5.5.1 Need MAIL command\r\n");
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        await client.ExchangeAsync("MAIL FROM:<a@far.example>\r\n", "503 5.5.1 Send HELO or EHLO first\r\n");
    }

    [Fact]
    public async Task A_bdat_message_over_size_is_refused_and_the_transaction_ends()
    {
        await using var client = await StartAsync(configure: o => o.MaxMessageBytes = 10);
        await client.SendAsync("EHLO client.example\r\n");
        await client.ReadAsync(EhloPlain.Length - 5);
        await client.ExchangeAsync("MAIL FROM:<a@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("BDAT 6\r\n123456", "250 2.0.0 6 octets received\r\n");
        await client.ExchangeAsync("BDAT 5\r\n78901", "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
        await client.ExchangeAsync("BDAT 1 LAST\r\nx", "503 5.5.1 Need MAIL command\r\n");
        Assert.Empty(client.Store.Deliveries);
    }

    [Fact]
    public async Task Data_after_bdat_is_out_of_sequence()
    {
        await using var client = await StartAsync();
        await OpenTransactionAsync(client, data: false);
        await client.ExchangeAsync("BDAT 3\r\nabc", "250 2.0.0 3 octets received\r\n");
        await client.ExchangeAsync("DATA\r\n", "503 5.5.1 Need MAIL command\r\n");
    }

    [Fact]
    public async Task Too_many_recipients_get_452_4_5_3()
    {
        await using var client = await StartAsync(configure: o => o.MaxRecipients = 2);
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("MAIL FROM:<a@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("RCPT TO:<bob@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "452 4.5.3 Too many recipients\r\n");
    }

    /// <summary>EHLO, MAIL and one local RCPT; then DATA and its 354 unless <paramref name="data"/> is false.</summary>
    internal static async Task OpenTransactionAsync(SmtpTestClient client, bool data = true)
    {
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        if (data)
        {
            await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        }
    }
}
