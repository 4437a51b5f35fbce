using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.DependencyInjection;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// What the CLI and the host need of the mail store and the SMTP/IMAP servers, kept to a few
/// calls so that the commands compile and are tested without them. Implemented by
/// <c>MailServices</c> (Hosting/MailServices.cs); tests of the CLI pass their own.
/// </summary>
internal interface IMailWiring
{
    /// <summary><c>init</c>: creates the node key (NodeKey.LoadOrCreate: idempotent).</summary>
    void CreateNodeKey(IFileSystem fileSystem, string dataDirectory);

    /// <summary><c>user add</c> / <c>user list</c>: the user directory (works while a node runs).</summary>
    IUserDirectory OpenUsers(IFileSystem fileSystem, string dataDirectory);

    /// <summary><c>status</c> with no node running: opens the mail store on <paramref name="store"/> (the caller holds the node lock).</summary>
    Task<MailStatus> ReadStatusAsync(LocalStore store, NodeConfiguration configuration, string dataDirectory, CancellationToken cancellationToken);

    /// <summary>
    /// <c>run</c>: registers a hosted service that opens the mail store once <see cref="StoreService"/>
    /// has opened the local store, and an <see cref="IMailRuntime"/> singleton.
    /// </summary>
    void AddServices(IServiceCollection services, NodeConfiguration configuration, string dataDirectory);
}
