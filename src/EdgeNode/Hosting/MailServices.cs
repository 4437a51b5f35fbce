// EXCLUDED FROM COMPILATION in branch `cli` (see <Compile Remove> in EPostEdge.EdgeNode.csproj):
// it constructs MailStore, UserDirectory, NodeKey, SmtpServer and ImapServer, which live in the
// mailbox, smtp and imap branches. Written against the signatures of the issue-3 plan; at merge
// the lead removes the <Compile Remove> line and fixes any name that differs (marked MERGE:).
// It holds several small types on purpose: everything that touches the other branches' types is
// in this one file.
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Imap;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using EPostEdge.EdgeNode.Mail.Imap.Session;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Mail.Smtp;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>Compiles the mail wiring in: <see cref="MailComposition.Wiring"/> returns it.</summary>
internal static partial class MailComposition
{
    static partial void Compose(ref IMailWiring? wiring) => wiring = new MailServices();
}

/// <summary>The mail store, users and protocol handlers, built from the node's configuration.</summary>
internal sealed class MailServices : IMailWiring
{
    public void CreateNodeKey(IFileSystem fileSystem, string dataDirectory) =>
        NodeKey.LoadOrCreate(fileSystem, dataDirectory, SystemRandomSource.Instance);

    public IUserDirectory OpenUsers(IFileSystem fileSystem, string dataDirectory) =>
        UserDirectory.Open(fileSystem, dataDirectory, SystemRandomSource.Instance);

    public async Task<MailStatus> ReadStatusAsync(LocalStore store, NodeConfiguration configuration, string dataDirectory, CancellationToken cancellationToken)
    {
        var mail = await MailStore.OpenAsync(
            store, new PhysicalFileSystem(), dataDirectory, configuration.Mail.Domains, SystemRandomSource.Instance, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await using (mail.ConfigureAwait(false))
        {
            return MailStoreService.ToStatus(mail);
        }
    }

    public void AddServices(IServiceCollection services, NodeConfiguration configuration, string dataDirectory)
    {
        services.AddSingleton(sp => new MailStoreService(
            sp.GetRequiredService<StoreService>(),
            configuration,
            dataDirectory,
            sp.GetRequiredService<IFileSystem>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IMailRuntime>(sp => sp.GetRequiredService<MailStoreService>());
        services.AddHostedService(sp => sp.GetRequiredService<MailStoreService>());
    }
}

/// <summary>Opens the mail store on the local store (after <see cref="StoreService"/> started) and makes the handlers.</summary>
internal sealed class MailStoreService(
    StoreService store,
    NodeConfiguration configuration,
    string dataDirectory,
    IFileSystem fileSystem,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService, IMailRuntime, IAsyncDisposable
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
        var smtpLimit = new SessionLimit(smtp.MaxSessions);
        var imapLimit = new SessionLimit(imap.MaxSessions);
        var smtpLog = loggers.CreateLogger<SmtpServer>();
        var imapLog = loggers.CreateLogger<ImapServer>();
        var renderer = new MessageRenderer();
        var endpoints = new List<MailEndpoint>();
        if (smtp.Port != 0)
        {
            endpoints.Add(new MailEndpoint(address, smtp.Port, false, new SmtpServer(mail, smtp, SmtpPortKind.Receiving, time, smtpLog), smtpLimit, "Smtp:Port"));
        }

        if (smtp.SubmissionPort != 0)
        {
            endpoints.Add(new MailEndpoint(address, smtp.SubmissionPort, false, new SmtpServer(mail, smtp, SmtpPortKind.Submission, time, smtpLog), smtpLimit, "Smtp:SubmissionPort"));
        }

        if (smtp.ImplicitTlsPort != 0)
        {
            endpoints.Add(new MailEndpoint(address, smtp.ImplicitTlsPort, true, new SmtpServer(mail, smtp, SmtpPortKind.ImplicitTls, time, smtpLog), smtpLimit, "Smtp:ImplicitTlsPort"));
        }

        // Both IMAP ports share one bounded cache of plaintext bodies.
        var imapBodies = new BodyCache(BodyCache.DefaultCapacity);
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
