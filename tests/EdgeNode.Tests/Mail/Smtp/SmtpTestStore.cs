using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Local;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>
/// The real <see cref="MailStore"/> on a temporary data folder (domain home.example; users alice,
/// password "secret99", and bob, "hunter22") that SMTP session tests talk to. Every call goes to
/// the real store. What is added is only what the real store cannot do on demand, and it is off
/// unless a test asks for it:
/// <list type="bullet">
/// <item><see cref="DeliveryGate"/>: holds a delivery before the real store sees it, to prove the
/// session's 250 comes only after <see cref="DeliverAsync"/> completed (durability);</item>
/// <item><see cref="DeliveryFailure"/>: an injected failure (TooBig, an unexpected exception)
/// the real store would not raise for a small message; OverQuota comes from a real quota
/// (<see cref="OpenAsync"/> with <c>quotaBytes</c>);</item>
/// <item><see cref="Logins"/>: which credentials reached the store ("the password was never looked at").</item>
/// </list>
/// <see cref="Deliveries"/> are read back from the real store after each delivery: the bytes of
/// the newest message of the first local recipient's INBOX (IMailFolder.ReadMessageAsync), checked
/// equal in every local recipient's INBOX, or of the outbound queue's newest entry when all are remote.
/// </summary>
internal sealed class SmtpTestStore : IMailStore, IAsyncDisposable
{
    private readonly TempDirectory _temp;
    private readonly LocalStore _local;
    private readonly List<Delivery> _deliveries = [];
    private readonly List<(string User, string Password)> _logins = [];
    private int _disposed;

    private SmtpTestStore(TempDirectory temp, LocalStore local, MailStore mail)
    {
        _temp = temp;
        _local = local;
        Mail = mail;
    }

    public MailStore Mail { get; }

    /// <summary>Deliveries that completed, as read back from the real store.</summary>
    public IReadOnlyList<Delivery> Deliveries
    {
        get
        {
            lock (_deliveries)
            {
                return [.. _deliveries];
            }
        }
    }

    public IReadOnlyList<(string User, string Password)> Logins
    {
        get
        {
            lock (_logins)
            {
                return [.. _logins];
            }
        }
    }

    /// <summary>Thrown by <see cref="DeliverAsync"/> instead of delivering while set.</summary>
    public Exception? DeliveryFailure { get; set; }

    /// <summary>When set, <see cref="DeliverAsync"/> hands the message to the real store only after this task completes.</summary>
    public Task? DeliveryGate { get; set; }

    /// <summary>Completed when <see cref="DeliverAsync"/> is entered.</summary>
    public TaskCompletionSource DeliveryStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<SmtpTestStore> OpenAsync(long? quotaBytes = null)
    {
        var temp = new TempDirectory();
        var fileSystem = new PhysicalFileSystem();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        var random = new SeededRandomSource(5321);
        var options = quotaBytes is { } quota ? new LocalStoreOptions { Blocks = new BlockStoreOptions { QuotaBytes = quota, ReserveFreeBytes = 0 } } : null;
        var local = LocalStore.Open(fileSystem, Path.Combine(temp.Path, "store"), options);
        var users = UserDirectory.Open(fileSystem, temp.Path, random, time, UserCosts.Minimal);
        var mail = await MailStore.OpenAsync(local, fileSystem, temp.Path, ["home.example"], users, random, time, CancellationToken.None);
        await users.AddUserAsync("alice", ["alice@home.example"], "secret99");
        await users.AddUserAsync("bob", ["bob@home.example"], "hunter22");
        return new SmtpTestStore(temp, local, mail);
    }

    public async Task<IUserMailbox?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        lock (_logins)
        {
            _logins.Add((userName, password));
        }

        return await Mail.AuthenticateAsync(userName, password, cancellationToken);
    }

    public RecipientKind ClassifyRecipient(string address) => Mail.ClassifyRecipient(address);

    public async Task DeliverAsync(ReadOnlyMemory<byte> message, string envelopeFrom, IReadOnlyList<string> recipients, CancellationToken cancellationToken = default)
    {
        DeliveryStarted.TrySetResult();
        if (DeliveryGate is not null)
        {
            await DeliveryGate.WaitAsync(cancellationToken);
        }

        if (DeliveryFailure is not null)
        {
            throw DeliveryFailure;
        }

        await Mail.DeliverAsync(message, envelopeFrom, recipients, cancellationToken);
        var stored = await ReadBackAsync(recipients, cancellationToken);
        lock (_deliveries)
        {
            _deliveries.Add(new Delivery(stored, envelopeFrom, [.. recipients]));
        }
    }

    /// <summary>The newest message in a user's INBOX, read from the real store.</summary>
    public async Task<string?> NewestInboxMessageAsync(string userName)
    {
        var inbox = (await Mail.GetMailboxAsync(userName)).GetFolder("INBOX")!;
        var messages = inbox.Snapshot().Messages;
        return messages.Count == 0 ? null : System.Text.Encoding.UTF8.GetString((await inbox.ReadMessageAsync(messages[^1])).Span);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await Mail.DisposeAsync();
        await _local.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<byte[]> ReadBackAsync(IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        byte[]? stored = null;
        foreach (var name in recipients.Select(LocalUserName).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var inbox = (await Mail.GetMailboxAsync(name, cancellationToken)).GetFolder("INBOX")!;
            var copy = (await inbox.ReadMessageAsync(inbox.Snapshot().Messages[^1], cancellationToken)).ToArray();
            stored ??= copy;
            Assert.Equal(stored, copy); // one delivery, the same bytes for every local recipient
        }

        if (stored is null && Mail.Outbound.Pending() is [.., var queued])
        {
            stored = await Mail.Outbound.ReadMessageAsync(_local, queued, cancellationToken);
        }

        return stored ?? throw new InvalidOperationException("the delivery left nothing in the store");
    }

    /// <summary>The user a local recipient lands with; Postmaster goes to the first user by name (MailStore's rule; no user here is named postmaster).</summary>
    private string? LocalUserName(string recipient) =>
        Mail.Users.Find(recipient)?.Name ?? (Mail.ClassifyRecipient(recipient) == RecipientKind.LocalUser ? Mail.Users.ListUsers()[0].Name : null);

    internal sealed record Delivery(byte[] Message, string From, string[] Recipients)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Message);
    }
}
