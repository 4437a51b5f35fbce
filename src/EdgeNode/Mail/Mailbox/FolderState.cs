namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// A folder's state being derived from its log: the one place the log's meaning is defined.
/// Replay at open and the group-commit writer apply events through the same <see cref="Apply"/>,
/// so the state after a restart equals the state before it. Mutable, single-threaded: the
/// writer works on a copy and publishes an immutable <see cref="FolderSnapshot"/>.
/// </summary>
internal sealed class FolderState
{
    private static readonly string[] NoKeywords = [];

    private readonly List<MessageSummary> _messages;

    private FolderState(uint uidValidity, uint uidNext, ulong highestModSeq, List<MessageSummary> messages)
    {
        UidValidity = uidValidity;
        UidNext = uidNext;
        HighestModSeq = highestModSeq;
        _messages = messages;
    }

    public uint UidValidity { get; }

    public uint UidNext { get; private set; }

    /// <summary>RFC 7162: starts at 1 for an empty folder and grows by one per change event.</summary>
    public ulong HighestModSeq { get; private set; }

    public IReadOnlyList<MessageSummary> Messages => _messages;

    public static FolderState Empty(uint uidValidity) => new(uidValidity, 1, 1, []);

    public static FolderState From(FolderSnapshot snapshot) =>
        new(snapshot.UidValidity, snapshot.UidNext, snapshot.HighestModSeq, [.. snapshot.Messages]);

    public FolderSnapshot ToSnapshot() => new(UidValidity, UidNext, HighestModSeq, _messages.ToArray());

    /// <summary>The message with <paramref name="uid"/>, or null (messages are in ascending UID order).</summary>
    public MessageSummary? Find(uint uid)
    {
        var i = IndexOf(uid);
        return i >= 0 ? _messages[i] : null;
    }

    /// <summary>
    /// Applies one event. An added message takes UIDNEXT and the next mod-sequence (RFC 9051
    /// §2.3.1.1, RFC 7162 §3.1.1); a flag change or an expunge takes one mod-sequence for all
    /// the messages it names. UIDs it names that are absent are ignored.
    /// </summary>
    public void Apply(FolderEvent e)
    {
        switch (e)
        {
            case FolderEvent.MessageAdded a:
                Add(a.Body, a.InternalDate, a.Size, a.Flags, a.Keywords);
                break;
            case FolderEvent.CopiedIn c:
                Add(c.Body, c.InternalDate, c.Size, c.Flags, c.Keywords);
                break;
            case FolderEvent.FlagsChanged f:
                var modSeq = ++HighestModSeq;
                foreach (var uid in f.Uids)
                {
                    var i = IndexOf(uid);
                    if (i >= 0)
                    {
                        var (flags, keywords) = Combine(_messages[i], f.Operation, f.Flags, f.Keywords);
                        _messages[i] = _messages[i] with { Flags = flags, Keywords = keywords, ModSeq = modSeq };
                    }
                }

                break;
            case FolderEvent.Expunged x:
                HighestModSeq++;
                var gone = new HashSet<uint>(x.Uids);
                _messages.RemoveAll(m => gone.Contains(m.Uid));
                break;
            default:
                throw new ArgumentException($"unknown folder event {e.GetType().Name}", nameof(e));
        }
    }

    /// <summary>The flags and keywords STORE would leave on <paramref name="message"/> (RFC 9051 §6.4.6; keywords compare case-insensitively).</summary>
    public static (MessageFlags Flags, IReadOnlyList<string> Keywords) Combine(MessageSummary message, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords)
    {
        switch (operation)
        {
            case FlagOperation.Replace:
                return (flags, Distinct(keywords));
            case FlagOperation.Add:
                var added = message.Keywords.Concat(keywords.Where(k => !message.Keywords.Contains(k, StringComparer.OrdinalIgnoreCase)));
                return (message.Flags | flags, Distinct([.. added]));
            default:
                return (message.Flags & ~flags, Distinct([.. message.Keywords.Where(k => !keywords.Contains(k, StringComparer.OrdinalIgnoreCase))]));
        }
    }

    /// <summary>Whether STORE would change anything on <paramref name="message"/>.</summary>
    public static bool WouldChange(MessageSummary message, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords)
    {
        var (newFlags, newKeywords) = Combine(message, operation, flags, keywords);
        return newFlags != message.Flags
            || newKeywords.Count != message.Keywords.Count
            || newKeywords.Any(k => !message.Keywords.Contains(k, StringComparer.OrdinalIgnoreCase));
    }

    private void Add(Storage.Blocks.BlockKey body, long internalDate, long size, MessageFlags flags, IReadOnlyList<string> keywords)
    {
        var uid = UidNext;
        UidNext = checked(UidNext + 1);
        _messages.Add(new MessageSummary(
            uid,
            DateTimeOffset.FromUnixTimeMilliseconds(internalDate),
            size,
            flags,
            Distinct(keywords),
            ++HighestModSeq,
            new MessageBodyRef(body)));
    }

    private int IndexOf(uint uid)
    {
        int low = 0, high = _messages.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var at = _messages[mid].Uid;
            if (at == uid)
            {
                return mid;
            }

            if (at < uid)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return -1;
    }

    // Keeps per-message memory small: most messages have no keywords and share one empty array.
    private static IReadOnlyList<string> Distinct(IReadOnlyList<string> keywords) =>
        keywords.Count == 0 ? NoKeywords : keywords.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}
