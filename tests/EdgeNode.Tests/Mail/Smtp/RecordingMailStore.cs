using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>
/// An <see cref="IMailStore"/> for SMTP session tests: users, passwords and local domains are given
/// by the test; deliveries are recorded (bytes copied, since the session's buffer is pooled); it can
/// be told to fail, or to hold a delivery until the test releases it.
/// </summary>
internal sealed class RecordingMailStore : IMailStore
{
    private readonly Dictionary<string, string> _passwords = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _domains = new(StringComparer.OrdinalIgnoreCase);

    public RecordingMailStore(string domain = "home.example")
    {
        _domains.Add(domain);
    }

    public List<Delivery> Deliveries { get; } = [];

    /// <summary>Thrown by the next <see cref="DeliverAsync"/> calls (OverQuota, …) while set.</summary>
    public Exception? DeliveryFailure { get; set; }

    /// <summary>When set, <see cref="DeliverAsync"/> records the message only after this task completes.</summary>
    public Task? DeliveryGate { get; set; }

    /// <summary>Completed when <see cref="DeliverAsync"/> is entered.</summary>
    public TaskCompletionSource DeliveryStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<(string User, string Password)> Logins { get; } = [];

    public RecordingMailStore WithUser(string address, string password)
    {
        _passwords[address] = password;
        return this;
    }

    public Task<IUserMailbox?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        Logins.Add((userName, password));
        IUserMailbox? mailbox = _passwords.TryGetValue(userName, out var expected) && expected == password
            ? new NamedMailbox(userName)
            : null;
        return Task.FromResult(mailbox);
    }

    public RecipientKind ClassifyRecipient(string address)
    {
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : address[(at + 1)..];
        if (!_domains.Contains(domain))
        {
            return RecipientKind.Remote;
        }

        return _passwords.ContainsKey(address) ? RecipientKind.LocalUser : RecipientKind.UnknownLocalUser;
    }

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

        Deliveries.Add(new Delivery(message.ToArray(), envelopeFrom, [.. recipients]));
    }

    internal sealed record Delivery(byte[] Message, string From, string[] Recipients)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Message);
    }

    private sealed class NamedMailbox(string userName) : IUserMailbox
    {
        public string UserName => userName;

        public IReadOnlyList<string> Addresses => [userName];

        public IReadOnlyList<FolderInfo> ListFolders() => throw new NotSupportedException();

        public IMailFolder? GetFolder(string name) => throw new NotSupportedException();

        public Task CreateFolderAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeleteFolderAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task RenameFolderAsync(string oldName, string newName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SetSubscribedAsync(string name, bool subscribed, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
