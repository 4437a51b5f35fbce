using System.Text;
using EPostEdge.EdgeNode.Mail.Smtp;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

public sealed class SmtpReplyTests
{
    [Fact]
    public void A_multi_line_ehlo_reply_has_exact_bytes()
    {
        // RFC 5321 §4.2.1: "250-" on every line but the last, "250 " on the last.
        var bytes = SmtpReply.ToArray(250, null, "edge.example greets client.example", "PIPELINING", "8BITMIME", "SIZE 35882577", "ENHANCEDSTATUSCODES");
        Assert.Equal(
            "250-edge.example greets client.example\r\n" +
            "250-PIPELINING\r\n" +
            "250-8BITMIME\r\n" +
            "250-SIZE 35882577\r\n" +
            "250 ENHANCEDSTATUSCODES\r\n",
            Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void Enhanced_codes_prefix_every_line()
    {
        Assert.Equal("250 2.1.0 Sender OK\r\n", Encoding.ASCII.GetString(SmtpReply.ToArray(250, "2.1.0", "Sender OK")));
        Assert.Equal(
            "550-5.1.1 No such user\r\n550 5.1.1 here\r\n",
            Encoding.ASCII.GetString(SmtpReply.ToArray(550, "5.1.1", "No such user", "here")));
    }

    [Fact]
    public void A_reply_without_text_has_no_trailing_space()
    {
        Assert.Equal("354\r\n", Encoding.ASCII.GetString(SmtpReply.ToArray(354, null)));
        Assert.Equal("250 2.0.0\r\n", Encoding.ASCII.GetString(SmtpReply.ToArray(250, "2.0.0", string.Empty)));
        Assert.Equal("250-\r\n250 x\r\n", Encoding.ASCII.GetString(SmtpReply.ToArray(250, null, string.Empty, "x")));
    }

    [Fact]
    public void Write_returns_the_length_and_matches_ToArray()
    {
        string[] lines = ["a", "bc"];
        Span<byte> buffer = stackalloc byte[64];
        var written = SmtpReply.Write(buffer, 221, "2.0.0", lines);
        Assert.Equal(SmtpReply.GetByteCount(221, "2.0.0", lines), written);
        Assert.Equal(SmtpReply.ToArray(221, "2.0.0", lines), buffer[..written].ToArray());
    }

    [Fact]
    public void Invalid_replies_are_refused()
    {
        // CR/LF in text would forge extra reply lines.
        Assert.Throws<ArgumentException>(() => SmtpReply.ToArray(250, null, "ok\r\n250 forged"));
        Assert.Throws<ArgumentException>(() => SmtpReply.ToArray(250, "5.1.1", "class mismatch"));
        Assert.Throws<ArgumentException>(() => SmtpReply.ToArray(250, "2.1", "too short"));
        Assert.Throws<ArgumentException>(() => SmtpReply.ToArray(354, "3.0.0", "no class 3"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmtpReply.ToArray(99, null, "bad code"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmtpReply.ToArray(600, null, "bad code"));
        Assert.Throws<ArgumentException>(() => SmtpReply.Write(new byte[4], 250, null, ["too long"]));
    }
}
