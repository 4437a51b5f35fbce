using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Hosting;

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
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<Mail.Net.IAdmissionGate>()));
        services.AddSingleton<IMailRuntime>(sp => sp.GetRequiredService<MailStoreService>());
        services.AddHostedService(sp => sp.GetRequiredService<MailStoreService>());
    }
}
