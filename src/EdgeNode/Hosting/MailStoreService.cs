using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Imap;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using EPostEdge.EdgeNode.Mail.Imap.Session;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Mail.Smtp;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>Opens the mail store on the local store (after <see cref="StoreService"/> started) and makes the handlers.</summary>
internal sealed class MailStoreService(
    StoreService store,
    NodeConfiguration configuration,
    string dataDirectory,
    IFileSystem fileSystem,
    TimeProvider time,
    ILoggerFactory loggers,
    IAdmissionGate? gate = null) : IHostedService, IMailRuntime, IAsyncDisposable
{
    private MailStore? _mail;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var local = store.Store ?? throw new InvalidOperationException("the local store is not open");
        _mail = await MailStore.OpenAsync(
            local, fileSystem, dataDirectory, configuration.Mail.Domains, SystemRandomSource.Instance, time, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_mail is not null)
        {
            await _mail.DisposeAsync().ConfigureAwait(false);
            _mail = null;
        }
    }

    public MailStatus? Status() => _mail is null ? null : ToStatus(_mail);

    // TotalMessages counts the mailboxes loaded so far (they load on first use): after a restart
    // it grows as users log in.
    public static MailStatus ToStatus(MailStore mail)
    {
        var status = mail.GetStatus();
        return new MailStatus(status.Users, status.TotalMessages, status.OutboundQueued);
    }

    public IReadOnlyList<MailEndpoint> Endpoints()
    {
        var mail = _mail ?? throw new InvalidOperationException("the mail store is not open");
        var address = configuration.ListenAddress!; // validated before the host starts
        var smtp = configuration.Smtp;
        var imap = configuration.Imap;
        var smtpLimit = new SessionLimit(smtp.MaxSessions, gate);
        var imapLimit = new SessionLimit(imap.MaxSessions, gate);
        var smtpLog = loggers.CreateLogger<SmtpServer>();
        var messages = configuration.Budget.SmtpMessageMemoryBytes is { } bound ? new MessageMemory(bound) : MessageMemory.Unlimited;
        var imapLog = loggers.CreateLogger<ImapServer>();
        var renderer = new MessageRenderer();
        var endpoints = new List<MailEndpoint>();
        if (smtp.Port != 0)
        {
            endpoints.Add(new MailEndpoint(address, smtp.Port, false, new SmtpServer(mail, smtp, SmtpPortKind.Receiving, time, smtpLog, gate, messages), smtpLimit, "Smtp:Port"));
        }

        if (smtp.SubmissionPort != 0)
        {
            endpoints.Add(new MailEndpoint(address, smtp.SubmissionPort, false, new SmtpServer(mail, smtp, SmtpPortKind.Submission, time, smtpLog, gate, messages), smtpLimit, "Smtp:SubmissionPort"));
        }

        if (smtp.ImplicitTlsPort != 0)
        {
            endpoints.Add(new MailEndpoint(address, smtp.ImplicitTlsPort, true, new SmtpServer(mail, smtp, SmtpPortKind.ImplicitTls, time, smtpLog, gate, messages), smtpLimit, "Smtp:ImplicitTlsPort"));
        }

        // Both IMAP ports share one bounded cache of plaintext bodies.
        var imapBodies = new BodyCache(configuration.Budget.ImapBodyCacheBytes);
        if (imap.Port != 0)
        {
            endpoints.Add(new MailEndpoint(address, imap.Port, false, new ImapServer(mail, imap, renderer, false, time, imapLog, imapBodies), imapLimit, "Imap:Port"));
        }

        if (imap.ImplicitTlsPort != 0)
        {
            endpoints.Add(new MailEndpoint(address, imap.ImplicitTlsPort, true, new ImapServer(mail, imap, renderer, true, time, imapLog, imapBodies), imapLimit, "Imap:ImplicitTlsPort"));
        }

        return endpoints;
    }
}
