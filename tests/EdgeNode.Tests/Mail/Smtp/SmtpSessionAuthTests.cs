using System.Text;
using EPostEdge.EdgeNode.Mail.Smtp;
using static EPostEdge.EdgeNode.Tests.Mail.Smtp.SmtpTestClient;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>AUTH PLAIN / LOGIN (RFC 4954), only over TLS; STARTTLS (RFC 3207); submission ports.</summary>
public sealed class SmtpSessionAuthTests
{
    private const string EhloSecure =
        "250-mx.home.example\r\n" +
        "250-PIPELINING\r\n" +
        "250-SIZE 1000000\r\n" +
        "250-8BITMIME\r\n" +
        "250-SMTPUTF8\r\n" +
        "250-ENHANCEDSTATUSCODES\r\n" +
        "250-CHUNKING\r\n" +
        "250 AUTH PLAIN LOGIN\r\n";

    private const string Ok = "235 2.7.0 Authentication successful\r\n";
    private const string Invalid = "535 5.7.8 Authentication credentials invalid\r\n";

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static async Task<SmtpTestClient> SecureAsync(SmtpPortKind kind = SmtpPortKind.Receiving)
    {
        var client = await StartAsync(kind, secure: true);
        await client.ExchangeAsync("EHLO client.example\r\n", EhloSecure);
        return client;
    }

    [Fact]
    public async Task Auth_plain_with_an_initial_response_logs_in_and_allows_relay()
    {
        await using var client = await SecureAsync();
        await client.ExchangeAsync($"AUTH PLAIN {B64("\0alice@home.example\0secret99")}\r\n", Ok);
        await client.ExchangeAsync("MAIL FROM:<alice@home.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync("RCPT TO:<friend@elsewhere.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.ExchangeAsync("x\r\n.\r\n", $"250 2.0.0 OK id={FirstSessionId}.1\r\n");
        var delivery = Assert.Single(client.Store.Deliveries);
        Assert.Equal(["friend@elsewhere.example"], delivery.Recipients);
        Assert.Contains("with ESMTPSA id", delivery.Text, StringComparison.Ordinal);
        Assert.Equal(("alice@home.example", "secret99"), Assert.Single(client.Store.Logins));
    }

    [Fact]
    public async Task Auth_plain_with_a_challenge_and_a_wrong_password_fails_with_535()
    {
        await using var client = await SecureAsync();
        await client.ExchangeAsync("AUTH PLAIN\r\n", "334 \r\n");
        await client.ExchangeAsync($"{B64("\0alice@home.example\0wrong")}\r\n", Invalid);
        await client.ExchangeAsync("AUTH PLAIN\r\n", "334 \r\n");
        await client.ExchangeAsync($"{B64("alice@home.example\0alice@home.example\0secret99")}\r\n", Ok);
        await client.ExchangeAsync($"AUTH PLAIN {B64("\0bob@home.example\0hunter22")}\r\n", "503 5.5.1 Already authenticated\r\n");
    }

    [Fact]
    public async Task Auth_plain_for_another_identity_is_refused()
    {
        await using var client = await SecureAsync();
        await client.ExchangeAsync($"AUTH PLAIN {B64("bob@home.example\0alice@home.example\0secret99")}\r\n", Invalid);
        Assert.Empty(client.Store.Logins);
    }

    [Fact]
    public async Task Auth_login_asks_for_user_name_and_password()
    {
        await using var client = await SecureAsync();
        await client.ExchangeAsync("AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n");
        await client.ExchangeAsync($"{B64("bob@home.example")}\r\n", "334 UGFzc3dvcmQ6\r\n");
        await client.ExchangeAsync($"{B64("hunter22")}\r\n", Ok);
        Assert.Equal(("bob@home.example", "hunter22"), Assert.Single(client.Store.Logins));
    }

    [Fact]
    public async Task Auth_login_with_an_initial_user_name_asks_only_for_the_password()
    {
        await using var client = await SecureAsync();
        await client.ExchangeAsync($"AUTH LOGIN {B64("bob@home.example")}\r\n", "334 UGFzc3dvcmQ6\r\n");
        await client.ExchangeAsync($"{B64("nope")}\r\n", Invalid);
    }

    [Fact]
    public async Task A_star_cancels_and_bad_base64_is_501()
    {
        await using var client = await SecureAsync();
        await client.ExchangeAsync("AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n");
        await client.ExchangeAsync("*\r\n", "501 5.7.0 Authentication cancelled\r\n");
        await client.ExchangeAsync("AUTH PLAIN\r\n", "334 \r\n");
        await client.ExchangeAsync("not base64!\r\n", "501 5.5.2 Invalid base64 data\r\n");
        await client.ExchangeAsync("AUTH CRAM-MD5\r\n", "504 5.5.4 Unrecognized authentication type\r\n");
        await client.ExchangeAsync("NOOP\r\n", "250 2.0.0 OK\r\n");
        Assert.Empty(client.Store.Logins);
    }

    [Fact]
    public async Task Auth_is_refused_before_ehlo_and_during_a_transaction()
    {
        await using var client = await StartAsync(secure: true);
        await client.ExchangeAsync($"AUTH PLAIN {B64("\0alice@home.example\0secret99")}\r\n", "503 5.5.1 Send EHLO first\r\n");
        await client.ExchangeAsync("EHLO client.example\r\n", EhloSecure);
        await client.ExchangeAsync("MAIL FROM:<x@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        await client.ExchangeAsync($"AUTH PLAIN {B64("\0alice@home.example\0secret99")}\r\n", "503 5.5.1 AUTH not permitted during a mail transaction\r\n");
    }

    [Fact]
    public async Task An_overlong_auth_response_is_refused_and_dropped()
    {
        await using var client = await SecureAsync();
        await client.ExchangeAsync("AUTH PLAIN\r\n", "334 \r\n");
        await client.SendAsync(new string('A', SmtpSession.CommandLineLimit + 10));
        await client.ExpectAsync("500 5.5.6 Authentication exchange line is too long\r\n");
        await client.ExchangeAsync("AAAA\r\nNOOP\r\n", "250 2.0.0 OK\r\n");
    }

    [Fact]
    public async Task Submission_requires_auth_before_mail_and_names_itself()
    {
        await using var client = await SecureAsync(SmtpPortKind.ImplicitTls);
        Assert.Equal("submissions", client.Server.Name);
        await client.ExchangeAsync("MAIL FROM:<alice@home.example>\r\n", "530 5.7.0 Authentication required\r\n");
        await client.ExchangeAsync($"AUTH PLAIN {B64("\0alice@home.example\0secret99")}\r\n", Ok);
        await client.ExchangeAsync("MAIL FROM:<alice@home.example>\r\n", "250 2.1.0 Sender OK\r\n");
    }

    [Fact]
    public async Task Submission_on_plaintext_refuses_auth_and_mail()
    {
        await using var client = await StartAsync(SmtpPortKind.Submission);
        Assert.Equal("submission", client.Server.Name);
        await client.ExchangeAsync("EHLO client.example\r\n", SmtpSessionLimitTests.EhloWithoutAuth());
        await client.ExchangeAsync("AUTH LOGIN\r\n", "538 5.7.11 Encryption required for requested authentication mechanism\r\n");
        await client.ExchangeAsync("MAIL FROM:<alice@home.example>\r\n", "530 5.7.0 Authentication required\r\n");
    }

    [Fact]
    public async Task Starttls_drops_pipelined_plaintext_and_forgets_the_session()
    {
        var connection = new ScriptedTlsConnection();
        await using var client = await StartAsync(connection, connection.ClientOutput, connection.ClientInput, SmtpPortKind.Submission);
        Assert.Equal("smtp", new SmtpServer(client.Store, client.Options, SmtpPortKind.Receiving, client.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<SmtpServer>.Instance).Name);
        await client.ExchangeAsync("EHLO client.example\r\n", SmtpSessionLimitTests.EhloWithoutAuth().Replace("250 CHUNKING", "250-CHUNKING\r\n250 STARTTLS", StringComparison.Ordinal));

        // RFC 3207 §5: a command injected behind STARTTLS must not run after the handshake.
        await client.ExchangeAsync("STARTTLS\r\nMAIL FROM:<injected@far.example>\r\n", "220 2.0.0 Ready to start TLS\r\n");
        await connection.Upgraded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await client.ExchangeAsync("MAIL FROM:<alice@home.example>\r\n", "503 5.5.1 Send HELO or EHLO first\r\n");
        Assert.Equal(1, connection.Upgrades);
        Assert.Equal(0, connection.UnconsumedAtUpgrade);

        await client.ExchangeAsync("EHLO client.example\r\n", EhloSecure);
        await client.ExchangeAsync("STARTTLS\r\n", "503 5.5.1 TLS already active\r\n");
        await client.ExchangeAsync($"AUTH PLAIN {B64("\0alice@home.example\0secret99")}\r\n", Ok);
        await client.ExchangeAsync("MAIL FROM:<alice@home.example>\r\n", "250 2.1.0 Sender OK\r\n");
    }

    [Fact]
    public async Task Refuse_says_421_4_3_2_with_the_reason()
    {
        var connection = new PipeConnection();
        await using var store = await DefaultStore();
        var server = new SmtpServer(store, DefaultOptions(), SmtpPortKind.Receiving, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SmtpServer>.Instance);
        await server.RefuseAsync(connection, "Too many sessions\r\nforged", CancellationToken.None);
        var result = await connection.ClientInput.ReadAsync();
        Assert.Equal("421 4.3.2 Too many sessions forged\r\n", Encoding.ASCII.GetString(result.Buffer));
    }
}
