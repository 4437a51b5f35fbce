using System.Buffers;
using EPostEdge.EdgeNode.Configuration;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>Greeting, CAPABILITY, ID, ENABLE, NOOP, LOGOUT, LOGIN, AUTHENTICATE, errors and timeouts, byte for byte.</summary>
public sealed class ImapSessionBasicsTests
{
    private const string Caps = "IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS MOVE CONDSTORE SPECIAL-USE LIST-STATUS LIST-EXTENDED ESEARCH BINARY UNSELECT CHILDREN";

    [Fact]
    public async Task Greeting_lists_capabilities_with_auth_on_a_secure_connection()
    {
        await using var c = await ImapTestClient.StartAsync();
        Assert.Equal("* OK [CAPABILITY " + Caps + " SASL-IR AUTH=PLAIN] EPostEdge IMAP ready\r\n", c.Greeting);
        Assert.Equal("* CAPABILITY " + Caps + " SASL-IR AUTH=PLAIN\r\nA1 OK CAPABILITY completed\r\n", await c.SendAsync("A1 CAPABILITY"));
    }

    [Fact]
    public async Task Plaintext_connection_says_LOGINDISABLED_and_refuses_LOGIN_and_AUTHENTICATE()
    {
        await using var c = await ImapTestClient.StartAsync(secure: false);
        Assert.Equal("* OK [CAPABILITY " + Caps + " LOGINDISABLED] EPostEdge IMAP ready\r\n", c.Greeting);
        Assert.Equal("A1 NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS\r\n", await c.SendAsync("A1 LOGIN alice secret99"));
        Assert.Equal("A2 NO [PRIVACYREQUIRED] Authentication is disabled until STARTTLS\r\n", await c.SendAsync("A2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldDk5"));
        Assert.Equal("A3 NO TLS not available\r\n", await c.SendAsync("A3 STARTTLS"));
    }

    [Fact]
    public async Task Plaintext_auth_is_allowed_when_configured()
    {
        await using var c = await ImapTestClient.StartAsync(secure: false, options: new ImapOptions { AllowPlaintextAuth = true });
        Assert.Equal("* OK [CAPABILITY " + Caps + " SASL-IR AUTH=PLAIN] EPostEdge IMAP ready\r\n", c.Greeting);
        Assert.Equal("A1 OK [CAPABILITY " + Caps + "] Logged in\r\n", await c.SendAsync("A1 LOGIN alice secret99"));
    }

    [Fact]
    public async Task Login_with_quoted_and_literal_strings_and_a_wrong_password()
    {
        await using var c = await ImapTestClient.StartAsync();
        Assert.Equal("A1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n", await c.SendAsync("A1 LOGIN alice wrong"));
        await c.WriteAsync("A2 LOGIN \"alice\" {8}\r\n");
        Assert.Equal("+ Ready for literal data\r\n", await c.ReadLineAsync());
        await c.WriteAsync("secret99\r\n");
        Assert.Equal("A2 OK [CAPABILITY " + Caps + "] Logged in\r\n", await c.ReadUntilTaggedAsync("A2"));
        Assert.Equal("A3 BAD LOGIN not allowed now\r\n", await c.SendAsync("A3 LOGIN alice secret99"));
    }

    [Fact]
    public async Task Login_with_a_LITERAL_plus_needs_no_continuation()
    {
        await using var c = await ImapTestClient.StartAsync();
        Assert.Equal("A1 OK [CAPABILITY " + Caps + "] Logged in\r\n", await c.SendAsync("A1 LOGIN {5+}\r\nalice {8+}\r\nsecret99"));
    }

    [Fact]
    public async Task Authenticate_plain_with_initial_response_and_with_continuation()
    {
        await using var c = await ImapTestClient.StartAsync();
        Assert.Equal("A1 OK [CAPABILITY " + Caps + "] Logged in\r\n", await c.SendAsync("A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldDk5"));

        await using var d = await ImapTestClient.StartAsync();
        await d.WriteAsync("B1 AUTHENTICATE PLAIN\r\n");
        Assert.Equal("+ \r\n", await d.ReadLineAsync());
        await d.WriteAsync("AGFsaWNlAHdyb25n\r\n");
        Assert.Equal("B1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n", await d.ReadUntilTaggedAsync("B1"));
        await d.WriteAsync("B2 AUTHENTICATE PLAIN\r\n");
        Assert.Equal("+ \r\n", await d.ReadLineAsync());
        await d.WriteAsync("*\r\n");
        Assert.Equal("B2 BAD Authentication cancelled\r\n", await d.ReadUntilTaggedAsync("B2"));
        Assert.Equal("B3 NO Unsupported authentication mechanism\r\n", await d.SendAsync("B3 AUTHENTICATE CRAM-MD5"));
    }

    [Fact]
    public async Task Id_enable_namespace_noop_and_logout()
    {
        await using var c = await ImapTestClient.LoggedInAsync();
        Assert.Equal("* ID (\"name\" \"EPostEdge\")\r\nA1 OK ID completed\r\n", await c.SendAsync("A1 ID (\"name\" \"Thunderbird\")"));
        Assert.Equal("* ENABLED CONDSTORE UTF8=ACCEPT\r\nA2 OK ENABLE completed\r\n", await c.SendAsync("A2 ENABLE CONDSTORE UTF8=ACCEPT QRESYNC"));
        Assert.Equal("* ENABLED\r\nA3 OK ENABLE completed\r\n", await c.SendAsync("A3 ENABLE CONDSTORE"));
        Assert.Equal("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nA4 OK NAMESPACE completed\r\n", await c.SendAsync("A4 NAMESPACE"));
        Assert.Equal("A5 OK NOOP completed\r\n", await c.SendAsync("A5 NOOP"));
        Assert.Equal("* BYE EPostEdge IMAP logging out\r\nA6 OK LOGOUT completed\r\n", await c.SendAsync("A6 LOGOUT"));
        Assert.True(await c.SessionEndsAsync());
    }

    [Theory]
    [InlineData("A1 FROB", "A1 BAD Unknown command FROB\r\n")]
    [InlineData("A1 SELECT INBOX", "A1 BAD SELECT not allowed now\r\n")]
    [InlineData("A1 FETCH 1 FLAGS", "A1 BAD FETCH not allowed now\r\n")]
    [InlineData("A1 UID NOOP", "A1 BAD Unknown UID command\r\n")]
    [InlineData("A1 LOGIN \"alice", "A1 BAD Bad quoted string\r\n")]
    [InlineData("A1 LOGIN (alice", "A1 BAD Unbalanced parenthesis\r\n")]
    [InlineData("A1 LOGIN alice", "A1 BAD Expected: LOGIN user password\r\n")]
    [InlineData("+ NOOP", "* BAD Missing command\r\n")]
    public async Task Malformed_or_misplaced_commands_get_BAD_and_the_session_continues(string line, string expected)
    {
        await using var c = await ImapTestClient.StartAsync();
        await c.WriteAsync(line + "\r\n");
        Assert.Equal(expected, await c.ReadLineAsync());
        Assert.Equal("Z1 OK NOOP completed\r\n", await c.SendAsync("Z1 NOOP"));
    }

    [Fact]
    public async Task Too_many_bad_commands_end_the_session_with_BYE()
    {
        await using var c = await ImapTestClient.StartAsync(options: new ImapOptions { MaxErrorsPerSession = 3 });
        await c.SendAsync("A1 FROB");
        await c.SendAsync("A2 FROB");
        Assert.Equal("A3 BAD Unknown command FROB\r\n* BYE Too many invalid commands\r\n", await c.SendAsync("A3 FROB") + await c.ReadLineAsync());
        Assert.True(await c.SessionEndsAsync());
    }

    [Fact]
    public async Task An_overlong_line_is_refused_and_the_next_command_works()
    {
        await using var c = await ImapTestClient.StartAsync(options: new ImapOptions { MaxLineLength = 100 });
        await c.WriteAsync("A1 NOOP " + new string('x', 300) + "\r\n");
        Assert.Equal("A1 BAD Command line too long\r\n", await c.ReadLineAsync());
        Assert.Equal("A2 OK NOOP completed\r\n", await c.SendAsync("A2 NOOP"));
    }

    [Fact]
    public async Task A_silent_client_is_logged_out_when_the_pre_auth_timer_fires()
    {
        await using var c = await ImapTestClient.StartAsync(options: new ImapOptions { PreAuthTimeoutSeconds = 60 });
        Assert.Equal("A1 OK NOOP completed\r\n", await c.SendAsync("A1 NOOP"));
        c.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("* BYE Autologout; idle for too long\r\n", await c.ReadLineAsync());
        Assert.True(await c.SessionEndsAsync());
    }

    [Fact]
    public async Task Starttls_upgrades_then_capabilities_offer_auth_instead()
    {
        var connection = new StartTlsTestConnection();
        await using var c = await ImapTestClient.StartTlsCapableAsync(connection);
        Assert.Equal("* OK [CAPABILITY " + Caps + " STARTTLS LOGINDISABLED] EPostEdge IMAP ready\r\n", c.Greeting);
        Assert.Equal("A1 BAD STARTTLS takes no arguments\r\n", await c.SendAsync("A1 STARTTLS now"));
        Assert.Equal("A2 OK Begin TLS negotiation now\r\n", await c.SendAsync("A2 STARTTLS"));
        Assert.Equal("* CAPABILITY " + Caps + " SASL-IR AUTH=PLAIN\r\nA3 OK CAPABILITY completed\r\n", await c.SendAsync("A3 CAPABILITY"));
        Assert.Equal(1, connection.Upgrades);
        Assert.Equal("A4 NO TLS not available\r\n", await c.SendAsync("A4 STARTTLS"));
        Assert.Equal("A5 OK [CAPABILITY " + Caps + "] Logged in\r\n", await c.SendAsync("A5 LOGIN alice secret99"));
    }

    [Fact]
    public async Task Refuse_says_BYE_with_the_reason()
    {
        await using var store = await ImapTestStore.OpenAsync();
        await using var connection = new PipeConnection();
        var server = new EPostEdge.EdgeNode.Mail.Imap.ImapServer(store.Mail, new ImapOptions(), new EPostEdge.EdgeNode.Mail.Imap.Fetch.MessageRenderer(), implicitTls: true, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<EPostEdge.EdgeNode.Mail.Imap.ImapServer>.Instance);
        Assert.Equal("imaps", server.Name);
        await server.RefuseAsync(connection, "Too many connections", CancellationToken.None);
        var result = await connection.ClientInput.ReadAsync();
        Assert.Equal("* BYE [ALERT] Too many connections\r\n", System.Text.Encoding.ASCII.GetString(result.Buffer.ToArray()));
    }
}
