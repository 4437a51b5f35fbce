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
    private readonly BodyCache _bodies;
    private int _sessions;

    public ImapServer(IMailStore store, ImapOptions options, IMessageRenderer renderer, bool implicitTls, TimeProvider time, ILogger<ImapServer> logger)
        : this(store, options, renderer, implicitTls, time, logger, new BodyCache(BodyCache.DefaultCapacity))
    {
    }

    /// <summary>A service whose sessions share <paramref name="bodies"/> (one cache for both IMAP ports).</summary>
    internal ImapServer(IMailStore store, ImapOptions options, IMessageRenderer renderer, bool implicitTls, TimeProvider time, ILogger<ImapServer> logger, BodyCache bodies)
    {
        _bodies = bodies;
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
        using var session = new ImapSession(connection, _store, _options, _renderer, _time, _logger, _bodies);
        Interlocked.Increment(ref _sessions);
        try
        {
            await session.RunAsync(cancellationToken);
        }
        catch (IOException e)
        {
            _logger.LogDebug(e, "IMAP connection from {Remote} lost", connection.RemoteEndPoint);
        }
        finally
        {
            // No session left: no plaintext body stays in memory for nobody.
            if (Interlocked.Decrement(ref _sessions) == 0)
            {
                _bodies.Clear();
            }
        }
    }

    public async Task RefuseAsync(IMailConnection connection, string reason, CancellationToken cancellationToken)
    {
        // RFC 9051 §7.1: ALERT text must be shown to the user, who can then tell "busy, later"
        // from a broken account.
        ImapWire.WriteRaw(connection.Output, "* BYE [ALERT] "u8);
        ImapWire.WriteRaw(connection.Output, reason);
        ImapWire.WriteRaw(connection.Output, "\r\n"u8);
        await connection.Output.FlushAsync(cancellationToken);
    }
}
