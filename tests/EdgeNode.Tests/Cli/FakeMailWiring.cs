using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.DependencyInjection;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary>An in-memory user directory behind <see cref="IMailWiring"/>: what the CLI does with it, not what the store does.</summary>
internal sealed class FakeMailWiring : IMailWiring, IUserDirectory
{
    public List<(UserRecord User, string Password)> Users { get; } = [];

    public int NodeKeysCreated { get; private set; }

    public void CreateNodeKey(IFileSystem fileSystem, string dataDirectory) => NodeKeysCreated++;

    public IUserDirectory OpenUsers(IFileSystem fileSystem, string dataDirectory) => this;

    public Task<MailStatus> ReadStatusAsync(LocalStore store, NodeConfiguration configuration, string dataDirectory, CancellationToken cancellationToken) =>
        Task.FromResult(new MailStatus(Users.Count, 7, 2));

    public void AddServices(IServiceCollection services, NodeConfiguration configuration, string dataDirectory) =>
        throw new NotSupportedException("in-process tests do not run the host");

    public Task<UserRecord> AddUserAsync(string name, IReadOnlyList<string> addresses, string password, CancellationToken cancellationToken = default)
    {
        if (Users.Any(u => u.User.Name == name))
        {
            throw new MailboxException(MailboxErrorKind.AlreadyExists, $"user '{name}' exists already");
        }

        var record = new UserRecord(name, addresses, "ab" + name);
        Users.Add((record, password));
        return Task.FromResult(record);
    }

    public IReadOnlyList<UserRecord> ListUsers() => Users.Select(u => u.User).ToList();
}
