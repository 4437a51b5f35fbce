using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CHANGEDSINCE).</summary>
internal sealed partial class ImapSession
{
    private const int FlushThreshold = 256 * 1024;

    private static readonly BodySection HeaderSection = new([], SectionText.Header, []);
    private static readonly BodySection TextSection = new([], SectionText.Text, []);

    /// <summary>View indices (ascending) named by a sequence set; false when a sequence number is beyond the view.</summary>
    private bool TryResolve(SequenceSet set, bool uid, out List<int> indices)
    {
        var selected = _selected!;
        var view = selected.View;
        indices = [];
        if (uid)
        {
            foreach (var (low, high) in set.Resolve(selected.LargestUid))
            {
                for (var i = LowerBound(view, low); i < view.Count && view[i].Uid <= high; i++)
                {
                    indices.Add(i);
                }
            }

            return true;
        }

        // RFC 9051 §6.4.5: '*' with no messages, or a number past the last, is an error.
        foreach (var (low, high) in set.Resolve((uint)view.Count))
        {
            if (high > view.Count)
            {
                return false;
            }

            for (var n = low; n <= high; n++)
            {
                indices.Add((int)n - 1);
            }
        }

        return true;
    }

    private static int LowerBound(IReadOnlyList<MessageSummary> view, uint uid)
    {
        int lo = 0, hi = view.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (view[mid].Uid < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private async Task FetchAsync(string tag, bool uid, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        if (!FetchRequestParser.TryParse(args, out var request, out var error))
        {
            Bad(tag, error);
            return;
        }

        if (!TryResolve(request.Set, uid, out var indices))
        {
            Bad(tag, "Invalid message sequence number");
            return;
        }

        var selected = _selected!;
        var folder = selected.Folder;
        if (request.ChangedSince is not null || request.Has(FetchItemKind.ModSeq))
        {
            _condstore = true; // RFC 7162 §3.1: MODSEQ or CHANGEDSINCE enables CONDSTORE
        }

        HashSet<uint>? seenNow = null;
        if (request.SetsSeen && !selected.ReadOnly)
        {
            seenNow = await MarkSeenAsync(selected, indices, cancellationToken);
        }

        var view = selected.View;
        var needsMessage = request.NeedsMessage;
        var hasUid = request.Has(FetchItemKind.Uid);
        var hasFlags = request.Has(FetchItemKind.Flags);
        var unknownEncoding = false;
        var lost = false;
        var o = Output;
        foreach (var index in indices)
        {
            var m = view[index];
            if (request.ChangedSince is { } since && m.ModSeq <= since)
            {
                continue;
            }

            ReadOnlyMemory<byte> message = default;
            if (needsMessage)
            {
                try
                {
                    message = await _bodies.ReadAsync(folder, m, keep: true, cancellationToken);
                }
                catch (MailboxException)
                {
                    lost = true; // expunged by another session meanwhile (RFC 9051 §7.5.1)
                    continue;
                }
            }

            ImapResponseWriter.Raw(o, "* "u8);
            ImapResponseWriter.Number(o, (ulong)(index + 1));
            ImapResponseWriter.Raw(o, " FETCH ("u8);
            var first = true;
            if (uid && !hasUid)
            {
                ImapResponseWriter.Raw(o, "UID "u8);
                ImapResponseWriter.Number(o, m.Uid);
                first = false;
            }

            foreach (var item in request.Items)
            {
                if (!first)
                {
                    ImapResponseWriter.Raw(o, " "u8);
                }

                first = false;
                unknownEncoding |= WriteItem(item, m, message);
            }

            if (seenNow is not null && !hasFlags && seenNow.Contains(m.Uid))
            {
                ImapResponseWriter.Raw(o, " FLAGS "u8);
                ImapResponseWriter.FlagList(o, m.Flags, m.Keywords);
            }

            ImapResponseWriter.Raw(o, ")\r\n"u8);
            if (o.UnflushedBytes > FlushThreshold)
            {
                await o.FlushAsync(cancellationToken);
            }
        }

        if (unknownEncoding)
        {
            selected.WriteUpdates(o, uid, _condstore);
            No(tag, "[UNKNOWN-CTE] Cannot decode a part's content transfer encoding");
            return;
        }

        if (lost)
        {
            selected.WriteUpdates(o, uid, _condstore);
            No(tag, "[EXPUNGEISSUED] Some messages were expunged");
            return;
        }

        Complete(tag, "FETCH completed", allowExpunge: uid);
    }

    private static async Task<HashSet<uint>?> MarkSeenAsync(SelectedFolder selected, List<int> indices, CancellationToken cancellationToken)
    {
        var view = selected.View;
        List<uint>? unseen = null;
        foreach (var index in indices)
        {
            if ((view[index].Flags & MessageFlags.Seen) == 0)
            {
                (unseen ??= []).Add(view[index].Uid);
            }
        }

        if (unseen is null)
        {
            return null;
        }

        var result = await selected.Folder.StoreFlagsAsync(unseen, FlagOperation.Add, MessageFlags.Seen, [], null, cancellationToken);
        var seen = new HashSet<uint>();
        foreach (var changed in result.Changed)
        {
            selected.Replace(changed);
            seen.Add(changed.Uid);
        }

        return seen;
    }

    /// <summary>Writes one data item; true when a BINARY part had an encoding that cannot be decoded.</summary>
    private bool WriteItem(FetchItem item, MessageSummary m, ReadOnlyMemory<byte> message)
    {
        var o = Output;
        switch (item.Kind)
        {
            case FetchItemKind.Uid:
                ImapResponseWriter.Raw(o, "UID "u8);
                ImapResponseWriter.Number(o, m.Uid);
                return false;
            case FetchItemKind.Flags:
                ImapResponseWriter.Raw(o, "FLAGS "u8);
                ImapResponseWriter.FlagList(o, m.Flags, m.Keywords);
                return false;
            case FetchItemKind.Rfc822Size:
                ImapResponseWriter.Raw(o, "RFC822.SIZE "u8);
                ImapResponseWriter.Number(o, (ulong)m.Size);
                return false;
            case FetchItemKind.InternalDate:
                ImapResponseWriter.Raw(o, "INTERNALDATE "u8);
                ImapResponseWriter.DateTime(o, m.InternalDate);
                return false;
            case FetchItemKind.ModSeq:
                ImapResponseWriter.Raw(o, "MODSEQ ("u8);
                ImapResponseWriter.Number(o, m.ModSeq);
                ImapResponseWriter.Raw(o, ")"u8);
                return false;
            case FetchItemKind.Envelope:
                ImapResponseWriter.Raw(o, "ENVELOPE "u8);
                _renderer.WriteEnvelope(message, o);
                return false;
            case FetchItemKind.BodyStructure:
            case FetchItemKind.Body:
                ImapResponseWriter.Raw(o, item.Kind == FetchItemKind.Body ? "BODY "u8 : "BODYSTRUCTURE "u8);
                _renderer.WriteBodyStructure(message, item.Kind == FetchItemKind.BodyStructure, o);
                return false;
            case FetchItemKind.Rfc822:
                ImapResponseWriter.Raw(o, "RFC822 "u8);
                ImapResponseWriter.Literal(o, message.Span);
                return false;
            case FetchItemKind.Rfc822Header:
            case FetchItemKind.Rfc822Text:
                ImapResponseWriter.Raw(o, item.Kind == FetchItemKind.Rfc822Header ? "RFC822.HEADER "u8 : "RFC822.TEXT "u8);
                WriteNString(_renderer.GetSection(message, item.Kind == FetchItemKind.Rfc822Header ? HeaderSection : TextSection, false, out _), false);
                return false;
            case FetchItemKind.BinarySize:
            {
                var data = _renderer.GetSection(message, item.Section!, true, out var unknown);
                ImapResponseWriter.Raw(o, item.Label);
                ImapResponseWriter.Raw(o, " "u8);
                ImapResponseWriter.Number(o, (ulong)(data?.Length ?? 0));
                return unknown;
            }

            default:
            {
                var binary = item.Kind == FetchItemKind.BinarySection;
                var section = item.Section!;
                var unknown = false;
                ReadOnlyMemory<byte>? data = !binary && section.Part.Count == 0 && section.Text == SectionText.All
                    ? message
                    : _renderer.GetSection(message, section, binary, out unknown);
                ImapResponseWriter.Raw(o, item.Label);
                if (section.PartialStart is { } start)
                {
                    // RFC 9051 §6.4.5: the response names only the origin octet.
                    ImapResponseWriter.Raw(o, "<"u8);
                    ImapResponseWriter.Number(o, (ulong)start);
                    ImapResponseWriter.Raw(o, ">"u8);
                    if (data is { } whole)
                    {
                        var from = (int)Math.Min(start, whole.Length);
                        var length = (int)Math.Min(section.PartialLength ?? long.MaxValue, whole.Length - from);
                        data = whole.Slice(from, length);
                    }
                }

                ImapResponseWriter.Raw(o, " "u8);
                WriteNString(data, binary);
                return unknown;
            }
        }
    }

    private void WriteNString(ReadOnlyMemory<byte>? data, bool binary)
    {
        if (data is not { Length: > 0 } bytes)
        {
            ImapResponseWriter.Raw(Output, "\"\""u8);
            return;
        }

        ImapResponseWriter.Literal(Output, bytes.Span, binary && bytes.Span.IndexOf((byte)0) >= 0);
    }
}
