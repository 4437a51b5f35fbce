using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Net;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// SMTP on one port (RFC 5321; RFC 6409 submission; RFC 8314 implicit TLS): the listener hands each
/// accepted connection to <see cref="RunSessionAsync"/>, which runs one <see cref="SmtpSession"/>.
/// </summary>
public sealed class SmtpServer : IMailSessionHandler
{
    private readonly IMailStore _store;
    private readonly SmtpOptions _options;
    private readonly SmtpPortKind _kind;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpServer> _logger;
    private readonly string _hostName;
    private readonly string _instance;
    private readonly IAdmissionGate? _gate;
    private readonly MessageMemory _memory;
    private long _sessions;

    /// <param name="store">The mail store.</param>
    /// <param name="options">The Smtp section.</param>
    /// <param name="kind">Which port this is.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    /// <param name="gate">The node's budgets: MAIL and RCPT get 452 4.3.1 while it refuses new mail (disk near full, memory near its budget).</param>
    /// <param name="memory">The bound on message buffers, shared with the node's other SMTP ports (null: none).</param>
    public SmtpServer(IMailStore store, SmtpOptions options, SmtpPortKind kind, TimeProvider time, ILogger<SmtpServer> logger, IAdmissionGate? gate = null, MessageMemory? memory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _options = options;
        _kind = kind;
        _time = time;
        _logger = logger;
        _gate = gate;
        _memory = memory ?? MessageMemory.Unlimited;
        _hostName = string.IsNullOrWhiteSpace(options.HostName) ? Environment.MachineName : options.HostName;
        // Message ids are "<start time>.<session>.<message>": unique on this node without randomness.
        _instance = time.GetUtcNow().ToUnixTimeMilliseconds().ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Name => _kind switch
    {
        SmtpPortKind.Submission => "submission",
        SmtpPortKind.ImplicitTls => "submissions",
        _ => "smtp",
    };

    /// <summary>The name in the greeting, the EHLO reply and Received: lines.</summary>
    public string HostName => _hostName;

    public Task RunSessionAsync(IMailConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var number = Interlocked.Increment(ref _sessions);
        var id = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_instance}.{number:x}");
        var session = new SmtpSession(connection, _store, _options, _kind, _time, _logger, _hostName, id, cancellationToken) { Gate = _gate, Memory = _memory };
        return session.RunAsync();
    }

    public async Task RefuseAsync(IMailConnection connection, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // RFC 5321 §3.1: a server that cannot serve may answer the connection with 421 and close.
        // The reason comes from the listener; line breaks in it must not forge further reply lines.
        var text = (reason ?? string.Empty).ReplaceLineEndings(" ");
        var reply = SmtpReply.ToArray(421, "4.3.2", text);
        await connection.Output.WriteAsync(reply, cancellationToken).ConfigureAwait(false);
    }
}
