using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// One change recorded in a folder's log. A log entry carries one or more (group commit). UIDs
/// and mod-sequences are not stored: replay derives them (each added message takes UIDNEXT and
/// the next mod-sequence; each flag change or expunge takes the next mod-sequence), so the log
/// alone defines the folder.
/// </summary>
internal abstract record FolderEvent
{
    private FolderEvent()
    {
    }

    /// <summary>A delivered or APPENDed message.</summary>
    /// <param name="InternalDate">Unix milliseconds.</param>
    public sealed record MessageAdded(BlockKey Body, long InternalDate, long Size, MessageFlags Flags, IReadOnlyList<string> Keywords) : FolderEvent;

    /// <summary>A message COPYed or MOVEd in (RFC 6851): the source folder and UID keep the trail in the log.</summary>
    public sealed record CopiedIn(string FromFolderId, uint FromUid, bool Moved, BlockKey Body, long InternalDate, long Size, MessageFlags Flags, IReadOnlyList<string> Keywords) : FolderEvent;

    /// <summary>STORE: <paramref name="Uids"/> (strictly ascending) are the messages it changed.</summary>
    public sealed record FlagsChanged(IReadOnlyList<uint> Uids, FlagOperation Operation, MessageFlags Flags, IReadOnlyList<string> Keywords) : FolderEvent;

    /// <summary>EXPUNGE (or the source half of a MOVE).</summary>
    public sealed record Expunged(IReadOnlyList<uint> Uids) : FolderEvent;
}
