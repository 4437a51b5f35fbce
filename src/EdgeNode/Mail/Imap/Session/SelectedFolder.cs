using System.Buffers;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>
/// A session's view of its selected folder: the messages it last told the client about, in
/// sequence-number order. Other sessions change the folder at will; the view catches up only by
/// <see cref="WriteUpdates"/>, which sends the differences as untagged EXPUNGE / FETCH / EXISTS
/// (RFC 9051 §5.2, §7.4.1, §7.5.1).
/// </summary>
internal sealed class SelectedFolder
{
    private List<MessageSummary> _view;
    private FolderSnapshot _lastSeen;
    private bool _pendingExpunges;

    public SelectedFolder(IMailFolder folder, string name, bool readOnly)
    {
        Folder = folder;
        Name = name;
        ReadOnly = readOnly;
        _lastSeen = folder.Snapshot();
        _view = new List<MessageSummary>(_lastSeen.Messages);
    }

    public IMailFolder Folder { get; }

    public string Name { get; }

    public bool ReadOnly { get; }

    /// <summary>The client's view: message sequence number n is <c>View[n - 1]</c>.</summary>
    public IReadOnlyList<MessageSummary> View => _view;

    public FolderSnapshot LastSeen => _lastSeen;

    public uint LargestUid => _view.Count == 0 ? 0 : _view[^1].Uid;

    /// <summary>Index in the view of the message with this UID, or -1.</summary>
    public int IndexOfUid(uint uid)
    {
        int lo = 0, hi = _view.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var m = _view[mid].Uid;
            if (m == uid)
            {
                return mid;
            }

            if (m < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>Takes a newer summary of a message already in view (after this session's own STORE).</summary>
    public void Replace(MessageSummary summary)
    {
        var i = IndexOfUid(summary.Uid);
        if (i >= 0)
        {
            _view[i] = summary;
        }
    }

    /// <summary>
    /// Brings the view up to the folder's current snapshot and writes what changed. With
    /// <paramref name="allowExpunge"/> false (during FETCH, STORE, SEARCH by sequence number,
    /// RFC 9051 §7.5.1) expunged messages stay in view, so sequence numbers do not shift.
    /// </summary>
    public void WriteUpdates(IBufferWriter<byte> output, bool allowExpunge, bool withModSeq)
    {
        var current = Folder.Snapshot();
        if (ReferenceEquals(current, _lastSeen) && !(allowExpunge && _pendingExpunges))
        {
            return;
        }

        var old = _view;
        var cur = current.Messages;
        var next = new List<MessageSummary>(Math.Max(cur.Count, old.Count));
        List<int>? expunged = null;
        List<int>? changed = null;
        var kept = false;
        int i = 0, j = 0;
        while (i < old.Count || j < cur.Count)
        {
            if (j >= cur.Count || (i < old.Count && old[i].Uid < cur[j].Uid))
            {
                if (allowExpunge)
                {
                    (expunged ??= []).Add(i);
                }
                else
                {
                    next.Add(old[i]);
                    kept = true;
                }

                i++;
            }
            else if (i >= old.Count || old[i].Uid > cur[j].Uid)
            {
                next.Add(cur[j++]);
            }
            else
            {
                var o = old[i++];
                var c = cur[j++];
                if (!ReferenceEquals(o, c) && (o.ModSeq != c.ModSeq || o.Flags != c.Flags || !SameKeywords(o.Keywords, c.Keywords)))
                {
                    (changed ??= []).Add(next.Count);
                }

                next.Add(c);
            }
        }

        if (expunged is not null)
        {
            // Highest first: each number is then still valid when the client reads it.
            for (var k = expunged.Count - 1; k >= 0; k--)
            {
                ImapResponseWriter.Raw(output, "* "u8);
                ImapResponseWriter.Number(output, (ulong)(expunged[k] + 1));
                ImapResponseWriter.Raw(output, " EXPUNGE\r\n"u8);
            }
        }

        if (changed is not null)
        {
            foreach (var index in changed)
            {
                WriteFlagsFetch(output, index + 1, next[index], includeUid: true, withModSeq);
            }
        }

        var announced = old.Count - (expunged?.Count ?? 0);
        if (next.Count > announced)
        {
            ImapResponseWriter.Raw(output, "* "u8);
            ImapResponseWriter.Number(output, (ulong)next.Count);
            ImapResponseWriter.Raw(output, " EXISTS\r\n"u8);
        }

        _view = next;
        _lastSeen = current;
        _pendingExpunges = kept;
    }

    /// <summary><c>* n FETCH (UID u FLAGS (...) MODSEQ (m))</c>.</summary>
    public static void WriteFlagsFetch(IBufferWriter<byte> output, int sequence, MessageSummary message, bool includeUid, bool withModSeq)
    {
        ImapResponseWriter.Raw(output, "* "u8);
        ImapResponseWriter.Number(output, (ulong)sequence);
        ImapResponseWriter.Raw(output, " FETCH ("u8);
        if (includeUid)
        {
            ImapResponseWriter.Raw(output, "UID "u8);
            ImapResponseWriter.Number(output, message.Uid);
            ImapResponseWriter.Raw(output, " "u8);
        }

        ImapResponseWriter.Raw(output, "FLAGS "u8);
        ImapResponseWriter.FlagList(output, message.Flags, message.Keywords);
        if (withModSeq)
        {
            ImapResponseWriter.Raw(output, " MODSEQ ("u8);
            ImapResponseWriter.Number(output, message.ModSeq);
            ImapResponseWriter.Raw(output, ")"u8);
        }

        ImapResponseWriter.Raw(output, ")\r\n"u8);
    }

    private static bool SameKeywords(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var k = 0; k < a.Count; k++)
        {
            if (!string.Equals(a[k], b[k], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
