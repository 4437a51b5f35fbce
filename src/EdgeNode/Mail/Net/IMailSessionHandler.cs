namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>
/// A protocol (SMTP on one port, IMAP) as the listener sees it. The listener accepts sockets,
/// does implicit TLS where the port says so, counts sessions, and hands each connection here.
/// </summary>
public interface IMailSessionHandler
{
    /// <summary>Protocol name for logs and status ("smtp", "submission", "imap", …).</summary>
    string Name { get; }

    /// <summary>Runs one session to its end (QUIT/LOGOUT, timeout, client gone, or <paramref name="cancellationToken"/> at shutdown: then say 421 / BYE).</summary>
    Task RunSessionAsync(IMailConnection connection, CancellationToken cancellationToken);

    /// <summary>Tells a client the node is too busy (SMTP 421 4.3.2, IMAP * BYE) and returns; the listener then closes the connection.</summary>
    Task RefuseAsync(IMailConnection connection, string reason, CancellationToken cancellationToken);
}
