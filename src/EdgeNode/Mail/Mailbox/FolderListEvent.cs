namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// One change in a user's folder-list log. Folders have stable ids that name their own logs,
/// so a rename is one event here and no log moves.
/// </summary>
internal abstract record FolderListEvent
{
    private FolderListEvent()
    {
    }

    public sealed record Created(string Id, string Name, SpecialUse SpecialUse, uint UidValidity) : FolderListEvent;

    public sealed record Renamed(string Id, string NewName) : FolderListEvent;

    public sealed record Deleted(string Id) : FolderListEvent;

    /// <summary>RFC 9051 §6.3.7: subscriptions are by name and may name folders that do not exist.</summary>
    public sealed record Subscription(string Name, bool Subscribed) : FolderListEvent;
}
