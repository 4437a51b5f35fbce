using System.Text;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

/// <summary>
/// The real <see cref="MailStore"/> on a temporary data folder with one user "alice" (password
/// "secret99", address alice@home.lan), a seeded random source and a fake clock that starts at
/// <see cref="Start"/>. Every <see cref="ImapTestClient"/> on it holds a reference; the files go
/// when the last holder disposes it.
/// </summary>
internal sealed class ImapTestStore : IAsyncDisposable
{
    /// <summary>The clock's start: folders created at open get UIDVALIDITY <see cref="StartValidity"/>, +1, +2, … (RFC 9051 §2.3.1.1).</summary>
    public static readonly DateTimeOffset Start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The internal date <see cref="AddAsync"/> gives when the test names none.</summary>
    public static readonly DateTimeOffset DefaultDate = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp;
    private readonly LocalStore _local;
    private int _holders;
    private int _disposed;

    private ImapTestStore(TempDirectory temp, LocalStore local, MailStore mail, IUserMailbox alice, FakeTimeProvider time)
    {
        _temp = temp;
        _local = local;
        Mail = mail;
        Alice = alice;
        Time = time;
    }

    /// <summary>UIDVALIDITY of INBOX, the first folder made (seconds since the epoch at <see cref="Start"/>).</summary>
    public static uint StartValidity => (uint)Start.ToUnixTimeSeconds();

    public MailStore Mail { get; }

    public IUserMailbox Alice { get; }

    public FakeTimeProvider Time { get; }

    public IMailFolder Inbox => Folder("INBOX");

    public static async Task<ImapTestStore> OpenAsync()
    {
        var temp = new TempDirectory();
        var fileSystem = new PhysicalFileSystem();
        var time = new FakeTimeProvider(Start);
        var random = new SeededRandomSource(9051);
        var local = LocalStore.Open(fileSystem, Path.Combine(temp.Path, "store"));
        var users = UserDirectory.Open(fileSystem, temp.Path, random, time, UserCosts.Minimal);
        var mail = await MailStore.OpenAsync(local, fileSystem, temp.Path, ["home.lan"], users, random, time, CancellationToken.None);
        await users.AddUserAsync("alice", ["alice@home.lan"], "secret99");
        var alice = await mail.GetMailboxAsync("alice");
        return new ImapTestStore(temp, local, mail, alice, time);
    }

    public IMailFolder Folder(string name) => Alice.GetFolder(name) ?? throw new InvalidOperationException($"no folder {name}");

    /// <summary>Appends a message (CRLF line ends) to a folder as a client's APPEND would; returns its UID.</summary>
    public Task<uint> AddAsync(string message, MessageFlags flags = MessageFlags.None, DateTimeOffset? date = null, string folder = "INBOX") =>
        Folder(folder).AppendAsync(Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n")), flags, [], date ?? DefaultDate);

    /// <summary>A client starts using the store.</summary>
    public ImapTestStore Hold()
    {
        Interlocked.Increment(ref _holders);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Decrement(ref _holders) > 0 || Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await Mail.DisposeAsync();
        await _local.DisposeAsync();
        _temp.Dispose();
    }
}
