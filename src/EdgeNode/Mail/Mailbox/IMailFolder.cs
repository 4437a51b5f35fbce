namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// One folder of one user: a signed single-writer log (POST) whose entries add messages, change
/// flags, copy/move and expunge. Thread-safe: many IMAP sessions and the SMTP delivery path use
/// one instance at once; every write is durable (journal fsync) before its task completes.
/// Protocol code sees only this interface, so the storage under it can become replicated later.
/// </summary>
public interface IMailFolder
{
    /// <summary>Current full name ('/' delimited).</summary>
    string Name { get; }

    SpecialUse SpecialUse { get; }

    /// <summary>The folder now, as one immutable value.</summary>
    FolderSnapshot Snapshot();

    /// <summary>Stores a message (a secure block) and adds it; returns its UID once durable.</summary>
    /// <exception cref="MailboxException">OverQuota, TooBig, or NotFound when the folder was deleted.</exception>
    Task<uint> AppendAsync(ReadOnlyMemory<byte> message, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes flags of the messages with these UIDs (absent UIDs are ignored). With
    /// <paramref name="unchangedSince"/> (RFC 7162 CONDSTORE) a message whose mod-sequence is
    /// higher is left alone and reported in <see cref="StoreResult.Modified"/>.
    /// </summary>
    Task<StoreResult> StoreFlagsAsync(IReadOnlyList<uint> uids, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords, ulong? unchangedSince = null, CancellationToken cancellationToken = default);

    /// <summary>Removes these messages (the caller picks them, e.g. those flagged \Deleted); returns the UIDs removed.</summary>
    Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Copies (or moves, RFC 6851) these messages to <paramref name="destination"/> of the same
    /// user, keeping flags and internal dates; the body block is shared, not stored again.
    /// </summary>
    Task<CopyResult> CopyToAsync(IReadOnlyList<uint> uids, IMailFolder destination, bool move, CancellationToken cancellationToken = default);

    /// <summary>The message's exact bytes (RFC 5322), decrypted and verified against its block key.</summary>
    ValueTask<ReadOnlyMemory<byte>> ReadMessageAsync(MessageSummary message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="changed"/> after each change to this folder (from any session or a
    /// delivery), on a thread-pool thread, until the returned handle is disposed (IMAP IDLE).
    /// </summary>
    IDisposable Watch(Action changed);
}
