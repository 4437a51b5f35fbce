using System.Runtime.InteropServices;
using System.Text;
using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Imap.Search;
using EPostEdge.EdgeNode.Mail.Mailbox;
using MimeKit;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>SEARCH and UID SEARCH (RFC 9051 §6.4.4), ESEARCH answers (RFC 4731), MODSEQ (RFC 7162 §3.1.5).</summary>
internal sealed partial class ImapSession
{
    private async Task SearchAsync(string tag, bool uid, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        if (!SearchRequestParser.TryParse(args, out var request, out var error, out var badCharset))
        {
            if (badCharset)
            {
                No(tag, "[BADCHARSET (UTF-8 US-ASCII)] " + error);
            }
            else
            {
                Bad(tag, error);
            }

            return;
        }

        var selected = _selected!;
        var view = selected.View;
        var evaluator = new SearchEvaluator(selected.LargestUid, (uint)view.Count);
        var needsMessage = request.Key.NeedsMessage;
        var usesModSeq = UsesModSeq(request.Key);
        if (usesModSeq)
        {
            _condstore = true;
        }

        var found = new List<uint>();
        ulong highestModSeq = 0;
        for (var i = 0; i < view.Count; i++)
        {
            var m = view[i];
            MimeMessage? parsed = null;
            if (needsMessage)
            {
                parsed = await LoadAsync(_bodies, selected.Folder, m, cancellationToken);
            }

            if (evaluator.Matches(request.Key, m, (uint)(i + 1), parsed))
            {
                found.Add(uid ? m.Uid : (uint)(i + 1));
                highestModSeq = Math.Max(highestModSeq, m.ModSeq);
            }
        }

        var o = Output;
        if (request.Return is not null || _rev2)
        {
            var ret = request.Return ?? SearchReturn.All;
            var sb = new StringBuilder("ESEARCH (TAG \"").Append(tag).Append("\")");
            if (uid)
            {
                sb.Append(" UID");
            }

            if (found.Count > 0 && ret.HasFlag(SearchReturn.Min))
            {
                sb.Append(" MIN ").Append(found[0]);
            }

            if (found.Count > 0 && ret.HasFlag(SearchReturn.Max))
            {
                sb.Append(" MAX ").Append(found[^1]);
            }

            if (ret.HasFlag(SearchReturn.Count))
            {
                sb.Append(" COUNT ").Append(found.Count);
            }

            if (found.Count > 0 && ret.HasFlag(SearchReturn.All))
            {
                sb.Append(" ALL ").Append(SequenceSet.Format(found));
            }

            if (usesModSeq && found.Count > 0)
            {
                sb.Append(" MODSEQ ").Append(highestModSeq);
            }

            ImapResponseWriter.Untagged(o, sb.ToString());
        }
        else
        {
            ImapResponseWriter.Raw(o, "* SEARCH"u8);
            foreach (var n in found)
            {
                ImapResponseWriter.Raw(o, " "u8);
                ImapResponseWriter.Number(o, n);
            }

            if (usesModSeq && found.Count > 0)
            {
                ImapResponseWriter.Raw(o, " (MODSEQ "u8);
                ImapResponseWriter.Number(o, highestModSeq);
                ImapResponseWriter.Raw(o, ")"u8);
            }

            ImapResponseWriter.Raw(o, "\r\n"u8);
        }

        Complete(tag, "SEARCH completed", allowExpunge: uid);
    }

    private static bool UsesModSeq(SearchKey key) =>
        key.Kind == SearchKeyKind.ModSeq || (key.Children is { } children && children.Any(UsesModSeq));

    private async Task<MimeMessage?> LoadAsync(BodyCache bodies, IMailFolder folder, MessageSummary m, CancellationToken cancellationToken)
    {
        if (_parsed.TryGet(m.Body, out var cached))
        {
            return cached;
        }

        ReadOnlyMemory<byte> bytes;
        try
        {
            // keep: false: a text search reads every message once and must not push out the
            // bodies clients are re-reading.
            bytes = await bodies.ReadAsync(folder, m, keep: false, cancellationToken);
        }
        catch (MailboxException)
        {
            return null; // expunged meanwhile: matches no text key
        }

        using var stream = MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
        var message = await MimeMessage.LoadAsync(stream, cancellationToken);
        _parsed.Add(m.Body, m.Size, message);
        return message;
    }
}
