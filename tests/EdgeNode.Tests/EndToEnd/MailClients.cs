using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>MailKit clients connected to a <see cref="MailNode"/>, trusting its self-signed certificate.</summary>
internal static class MailClients
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Submission port: STARTTLS, then AUTH (RFC 6409 §4, RFC 8314 §3.3 for the plain-port variant).</summary>
    public static async Task<SmtpClient> SubmissionAsync(MailNode node, string user, string password)
    {
        var client = NewSmtp();
        await client.ConnectAsync("127.0.0.1", node.SubmissionPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(user, password);
        return client;
    }

    /// <summary>Receiving port (25-style): no TLS, no AUTH; mail for local users from anyone.</summary>
    public static async Task<SmtpClient> ReceivingAsync(MailNode node)
    {
        var client = NewSmtp();
        await client.ConnectAsync("127.0.0.1", node.SmtpPort, SecureSocketOptions.None);
        return client;
    }

    /// <summary>IMAP port: STARTTLS (RFC 9051 §6.2.1), then LOGIN.</summary>
    public static async Task<ImapClient> ImapAsync(MailNode node, string user, string password)
    {
        var client = new ImapClient
        {
            Timeout = (int)Timeout.TotalMilliseconds,
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, _, _, _) => true,
        };
        await client.ConnectAsync("127.0.0.1", node.ImapPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(user, password);
        return client;
    }

    /// <summary>The whole message as the server stores it: <c>BODY.PEEK[]</c>.</summary>
    public static async Task<byte[]> RawAsync(IMailFolder folder, UniqueId uid)
    {
        using var stream = await folder.GetStreamAsync(uid, string.Empty);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static SmtpClient NewSmtp() => new()
    {
        Timeout = (int)Timeout.TotalMilliseconds,
        CheckCertificateRevocation = false,
        ServerCertificateValidationCallback = (_, _, _, _) => true,
        LocalDomain = "client.home.lan",
    };
}
