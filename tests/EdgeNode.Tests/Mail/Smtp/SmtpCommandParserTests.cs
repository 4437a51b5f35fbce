using EPostEdge.EdgeNode.Mail.Smtp;
using static EPostEdge.EdgeNode.Tests.Mail.Smtp.SmtpTestParsing;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

public sealed class SmtpCommandParserTests
{
    [Theory]
    [InlineData("EHLO mail.example.com", SmtpCommandKind.Ehlo, "mail.example.com")]
    [InlineData("HELO [192.0.2.1]", SmtpCommandKind.Helo, "[192.0.2.1]")]
    [InlineData("EHLO [IPv6:2001:db8::1]", SmtpCommandKind.Ehlo, "[IPv6:2001:db8::1]")]
    [InlineData("EHLO win_host", SmtpCommandKind.Ehlo, "win_host")]
    [InlineData("EHLO x.example  ", SmtpCommandKind.Ehlo, "x.example")]
    [InlineData("NOOP", SmtpCommandKind.Noop, null)]
    [InlineData("NOOP are you there", SmtpCommandKind.Noop, "are you there")]
    [InlineData("VRFY bob", SmtpCommandKind.Vrfy, "bob")]
    [InlineData("DATA", SmtpCommandKind.Data, null)]
    [InlineData("RSET", SmtpCommandKind.Rset, null)]
    [InlineData("QUIT", SmtpCommandKind.Quit, null)]
    [InlineData("STARTTLS", SmtpCommandKind.StartTls, null)]
    [InlineData("AUTH PLAIN", SmtpCommandKind.Auth, "PLAIN")]
    [InlineData("ehlo x.example", SmtpCommandKind.Ehlo, "x.example")]
    [InlineData("hElO x.example", SmtpCommandKind.Helo, "x.example")]
    [InlineData("data", SmtpCommandKind.Data, null)]
    [InlineData("StartTls", SmtpCommandKind.StartTls, null)]
    [InlineData("quit", SmtpCommandKind.Quit, null)]
    [InlineData("auth cram-md5", SmtpCommandKind.Auth, "CRAM-MD5")]
    public void Simple_commands_parse(string line, SmtpCommandKind kind, string? argument)
    {
        var command = ParseOne(line);
        Assert.Equal(kind, command.Kind);
        Assert.Equal(argument, command.Argument);
        Assert.Null(command.ErrorReason);
    }

    [Theory]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "PLAIN", "AGFsaWNlAHNlY3JldA==")]
    [InlineData("AUTH LOGIN =", "LOGIN", "=")]
    public void Auth_keeps_the_initial_response(string line, string mechanism, string response)
    {
        var command = ParseOne(line);
        Assert.Equal(SmtpCommandKind.Auth, command.Kind);
        Assert.Equal(mechanism, command.Argument);
        Assert.Equal(response, command.InitialResponse);
    }

    [Theory]
    [InlineData("BDAT 100", 100, false)]
    [InlineData("BDAT 0 LAST", 0, true)]
    [InlineData("bdat 86 last", 86, true)]
    public void Bdat_parses_size_and_last(string line, long size, bool last)
    {
        var command = ParseOne(line);
        Assert.Equal(SmtpCommandKind.Bdat, command.Kind);
        Assert.Equal(size, command.ChunkSize);
        Assert.Equal(last, command.IsLast);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.example>", SmtpCommandKind.Mail, "a", "b.example")]
    [InlineData("mail from:<a@b.example>", SmtpCommandKind.Mail, "a", "b.example")]
    [InlineData("MAIL FROM: <a@b.example>", SmtpCommandKind.Mail, "a", "b.example")]
    [InlineData("RCPT TO:<first.last+tag@sub.b.example>", SmtpCommandKind.Rcpt, "first.last+tag", "sub.b.example")]
    [InlineData("rcpt to:<A@B.EXAMPLE>", SmtpCommandKind.Rcpt, "A", "B.EXAMPLE")]
    [InlineData("RCPT TO:<\"a b\"@x.example>", SmtpCommandKind.Rcpt, "\"a b\"", "x.example")]
    [InlineData("RCPT TO:<\"a\\\"b\"@x.example>", SmtpCommandKind.Rcpt, "\"a\\\"b\"", "x.example")]
    [InlineData("RCPT TO:<user@[127.0.0.1]>", SmtpCommandKind.Rcpt, "user", "[127.0.0.1]")]
    [InlineData("RCPT TO:<user@[IPv6:::1]>", SmtpCommandKind.Rcpt, "user", "[IPv6:::1]")]
    [InlineData("RCPT TO:<@a.example,@b.example:user@c.example>", SmtpCommandKind.Rcpt, "user", "c.example")]
    [InlineData("MAIL FROM:<@a.example:user@c.example>", SmtpCommandKind.Mail, "user", "c.example")]
    [InlineData("RCPT TO:<Postmaster>", SmtpCommandKind.Rcpt, "Postmaster", "")]
    public void Paths_parse(string line, SmtpCommandKind kind, string local, string domain)
    {
        var command = ParseOne(line);
        Assert.Equal(kind, command.Kind);
        Assert.NotNull(command.Path);
        Assert.Equal(local, command.Path.LocalPart);
        Assert.Equal(domain, command.Path.Domain);
        Assert.False(command.Path.IsNull);
        Assert.False(command.Path.IsUtf8);
        Assert.Empty(command.Parameters);
    }

    [Fact]
    public void The_null_reverse_path_is_allowed_for_mail()
    {
        var command = ParseOne("MAIL FROM:<>");
        Assert.Equal(SmtpCommandKind.Mail, command.Kind);
        Assert.True(command.Path!.IsNull);
        Assert.Equal("<>", command.Path.ToString());
    }

    [Fact]
    public void Non_ascii_addresses_are_flagged()
    {
        var command = ParseOne("MAIL FROM:<jöran@bücher.example> SMTPUTF8");
        Assert.Equal(SmtpCommandKind.Mail, command.Kind);
        Assert.Equal("jöran", command.Path!.LocalPart);
        Assert.Equal("bücher.example", command.Path.Domain);
        Assert.True(command.Path.IsUtf8);
        Assert.True(command.RequestsSmtpUtf8);
    }

    [Fact]
    public void Known_mail_parameters_are_recognised()
    {
        var command = ParseOne("MAIL FROM:<a@b.example> SIZE=1000 body=8bitmime SMTPUTF8");
        Assert.Equal(1000, command.DeclaredSize);
        Assert.Equal(SmtpBodyType.EightBitMime, command.Body);
        Assert.True(command.RequestsSmtpUtf8);
        Assert.Equal(
            [new("SIZE", "1000"), new("BODY", "8bitmime"), new("SMTPUTF8", null)],
            command.Parameters);
    }

    [Theory]
    [InlineData("BODY=7BIT", SmtpBodyType.SevenBit)]
    [InlineData("BODY=BINARYMIME", SmtpBodyType.BinaryMime)]
    public void Body_types_are_recognised(string parameter, SmtpBodyType body) =>
        Assert.Equal(body, ParseOne("MAIL FROM:<a@b.example> " + parameter).Body);

    [Fact]
    public void Unknown_parameters_are_kept_for_the_server()
    {
        var mail = ParseOne("MAIL FROM:<a@b.example>  FOO=bar X-Y  RET=HDRS");
        Assert.Equal(SmtpCommandKind.Mail, mail.Kind);
        Assert.Equal([new("FOO", "bar"), new("X-Y", null), new("RET", "HDRS")], mail.Parameters);
        Assert.Null(mail.DeclaredSize);
        Assert.Equal(SmtpBodyType.None, mail.Body);

        var rcpt = ParseOne("RCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE");
        Assert.Equal(SmtpCommandKind.Rcpt, rcpt.Kind);
        Assert.Equal([new("NOTIFY", "SUCCESS,FAILURE")], rcpt.Parameters);
    }

    [Theory]
    [InlineData("MAIL FROM:a@b.example")]
    [InlineData("MAIL FROM:<a@b.example")]
    [InlineData("MAIL FROM:a@b.example>")]
    [InlineData("MAIL TO:<a@b.example>")]
    [InlineData("MAIL <a@b.example>")]
    [InlineData("MAIL")]
    [InlineData("RCPT TO:<>")]
    [InlineData("RCPT FROM:<a@b.example>")]
    [InlineData("RCPT TO:<a@>")]
    [InlineData("RCPT TO:<@b.example>")]
    [InlineData("RCPT TO:<a>")]
    [InlineData("MAIL FROM:<Postmaster>")]
    [InlineData("RCPT TO:<a..b@c.example>")]
    [InlineData("RCPT TO:<.a@c.example>")]
    [InlineData("RCPT TO:<a b@c.example>")]
    [InlineData("RCPT TO:<a@b..example>")]
    [InlineData("RCPT TO:<a@-b.example>")]
    [InlineData("RCPT TO:<a@b_c.example>")]
    [InlineData("RCPT TO:<a@[999.0.0.1]>")]
    [InlineData("RCPT TO:<a@[1.2.3]>")]
    [InlineData("RCPT TO:<a@[IPv6:fe80::1%eth0]>")]
    [InlineData("RCPT TO:<a@[x-tag:foo]>")]
    [InlineData("RCPT TO:<\"unterminated@c.example>")]
    [InlineData("RCPT TO:<@a.example user@c.example>")]
    [InlineData("MAIL FROM:<a@b.example>SIZE=5")]
    [InlineData("MAIL FROM:<a@b.example> SIZE=abc")]
    [InlineData("MAIL FROM:<a@b.example> SIZE")]
    [InlineData("MAIL FROM:<a@b.example> SIZE=1 SIZE=2")]
    [InlineData("MAIL FROM:<a@b.example> BODY=9BIT")]
    [InlineData("MAIL FROM:<a@b.example> SMTPUTF8=yes")]
    [InlineData("MAIL FROM:<a@b.example> X=")]
    [InlineData("MAIL FROM:<a@b.example> -X")]
    [InlineData("MAIL FROM:<a@b.example> X_Y=1")]
    [InlineData("EHLO")]
    [InlineData("EHLO ")]
    [InlineData("EHLO a b")]
    [InlineData("HELO [1.2.3.4")]
    [InlineData("VRFY")]
    [InlineData("DATA now")]
    [InlineData("RSET x")]
    [InlineData("QUIT bye")]
    [InlineData("STARTTLS x")]
    [InlineData("BDAT")]
    [InlineData("BDAT x")]
    [InlineData("BDAT -1")]
    [InlineData("BDAT 5 FIRST")]
    [InlineData("BDAT 5 LAST x")]
    [InlineData("BDAT 9999999999999999999")]
    [InlineData("AUTH")]
    [InlineData("AUTH PL@IN")]
    [InlineData("AUTH PLAIN ***")]
    [InlineData("AUTH PLAIN ")]
    [InlineData("AUTH ABCDEFGHIJKLMNOPQRSTU")]
    public void Bad_arguments_are_syntax_errors(string line)
    {
        var command = ParseOne(line);
        Assert.Equal(SmtpCommandKind.Syntax, command.Kind);
        Assert.False(string.IsNullOrEmpty(command.ErrorReason));
    }

    [Fact]
    public void A_local_part_of_64_octets_is_accepted_and_65_rejected()
    {
        Assert.Equal(SmtpCommandKind.Rcpt, ParseOne($"RCPT TO:<{new string('a', 64)}@b.example>").Kind);
        var command = ParseOne($"RCPT TO:<{new string('a', 65)}@b.example>");
        Assert.Equal(SmtpCommandKind.Syntax, command.Kind);
        Assert.Equal("Local part too long", command.ErrorReason);
    }

    [Fact]
    public void A_path_over_256_octets_is_rejected()
    {
        // "<" + 64 + "@" + 189 + ">" = 256 octets: the limit (RFC 5321 §4.5.3.1.3).
        var local = new string('a', 64);
        var label = new string('d', 62);
        var atLimit = $"<{local}@{label}.{label}.{label[..61]}.x>";
        Assert.Equal(256, atLimit.Length);
        Assert.Equal(SmtpCommandKind.Rcpt, ParseOne("RCPT TO:" + atLimit).Kind);
        var over = ParseOne($"RCPT TO:<{local}@{label}.{label}.{label}.x>");
        Assert.Equal(SmtpCommandKind.Syntax, over.Kind);
        Assert.Equal("Address too long", over.ErrorReason);
    }

    [Fact]
    public void Invalid_utf8_in_an_address_is_rejected()
    {
        var bytes = "RCPT TO:<a?@b.example>\r\n"u8.ToArray();
        bytes[10] = 0xFF;
        Assert.Equal(SmtpCommandKind.Syntax, ParseOne(bytes).Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HELP")]
    [InlineData("XYZZY foo")]
    [InlineData("EHLOX a")]
    [InlineData("MAILFROM:<a@b>")]
    [InlineData(" EHLO x")]
    public void Unknown_verbs_are_unknown(string line) =>
        Assert.Equal(SmtpCommandKind.Unknown, ParseOne(line).Kind);
}
