using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Mailbox;

/// <summary>A data folder with a local store and a mail store on it, reopenable like a restarted node.</summary>
internal sealed class MailNode : IAsyncDisposable
{
    public static readonly string[] Domains = ["home.example"];

    private MailNode(IFileSystem fileSystem, string dataDirectory, LocalStore local, MailStore mail, FakeTimeProvider time, LocalStoreOptions? options)
    {
        FileSystem = fileSystem;
        DataDirectory = dataDirectory;
        Local = local;
        Mail = mail;
        Time = time;
        Options = options;
    }

    public IFileSystem FileSystem { get; }

    public string DataDirectory { get; }

    public LocalStore Local { get; }

    public MailStore Mail { get; }

    public FakeTimeProvider Time { get; }

    public LocalStoreOptions? Options { get; }

    public static async Task<MailNode> OpenAsync(IFileSystem fileSystem, string dataDirectory, LocalStoreOptions? options = null, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var random = SystemRandomSource.Instance;
        var local = LocalStore.Open(fileSystem, Path.Combine(dataDirectory, "store"), options);
        var users = UserDirectory.Open(fileSystem, dataDirectory, random, time, UserCosts.Minimal);
        var mail = await MailStore.OpenAsync(local, fileSystem, dataDirectory, Domains, users, random, time, CancellationToken.None);
        return new MailNode(fileSystem, dataDirectory, local, mail, time, options);
    }

    /// <summary>Closes and opens again on the same files (a clean restart).</summary>
    public async Task<MailNode> ReopenAsync()
    {
        await DisposeAsync();
        return await OpenAsync(FileSystem, DataDirectory, options: Options, time: Time);
    }

    public async Task<IUserMailbox> AddUserAsync(string name, params string[] addresses)
    {
        await Mail.Users.AddUserAsync(name, addresses, "password-" + name);
        return await Mail.GetMailboxAsync(name);
    }

    public async ValueTask DisposeAsync()
    {
        await Mail.DisposeAsync();
        await Local.DisposeAsync();
    }
}
