using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using EPostEdge.EdgeNode.Mail.Imap.Session;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Net;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Imap;

/// <summary>
/// The IMAP service (RFC 9051 IMAP4rev2, serving RFC 3501 IMAP4rev1 clients too) as the listener
/// sees it: one instance per port, one <see cref="ImapSession"/> per connection.
/// </summary>
public sealed class ImapServer : IMailSessionHandler
{
    private readonly IMailStore _store;
    private readonly ImapOptions _options;
    private readonly IMessageRenderer _renderer;
    private readonly TimeProvider _time;
    private readonly ILogger<ImapServer> _logger;

    public ImapServer(IMailStore store, ImapOptions options, IMessageRenderer renderer, bool implicitTls, TimeProvider time, ILogger<ImapServer> logger)
    {
        _store = store;
        _options = options;
        _renderer = renderer;
        _time = time;
        _logger = logger;
        Name = implicitTls ? "imaps" : "imap";
    }

    public string Name { get; }

    public async Task RunSessionAsync(IMailConnection connection, CancellationToken cancellationToken)
    {
        using var session = new ImapSession(connection, _store, _options, _renderer, _time, _logger);
        try
        {
            await session.RunAsync(cancellationToken);
        }
        catch (IOException e)
        {
            _logger.LogDebug(e, "IMAP connection from {Remote} lost", connection.RemoteEndPoint);
        }
    }

    public async Task RefuseAsync(IMailConnection connection, string reason, CancellationToken cancellationToken)
    {
        ImapWire.WriteRaw(connection.Output, "* BYE "u8);
        ImapWire.WriteRaw(connection.Output, reason);
        ImapWire.WriteRaw(connection.Output, "\r\n"u8);
        await connection.Output.FlushAsync(cancellationToken);
    }
}
