using System.Globalization;
using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>STORE, COPY, MOVE, EXPUNGE and their UID forms (RFC 9051 §6.4, RFC 4315, RFC 6851, RFC 7162).</summary>
internal sealed partial class ImapSession
{
    private async Task StoreAsync(string tag, bool uid, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        // STORE sequence-set [(UNCHANGEDSINCE n)] (+|-)FLAGS[.SILENT] flags
        var i = 1;
        ulong? unchangedSince = null;
        if (args.Count > 1 && args[1].IsList)
        {
            var modifier = args[1].Items;
            if (modifier.Count != 2 || !modifier[0].IsWord("UNCHANGEDSINCE")
                || !ulong.TryParse(modifier[1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var since))
            {
                Bad(tag, "Bad STORE modifier");
                return;
            }

            unchangedSince = since;
            i = 2;
        }

        if (args.Count < i + 2 || !args[0].IsAtom || !SequenceSet.TryParse(args[0].Text, out var set) || !args[i].IsAtom)
        {
            Bad(tag, "Expected: STORE sequence-set (+|-)FLAGS[.SILENT] (flags)");
            return;
        }

        var item = args[i].Text.ToUpperInvariant();
        var silent = item.EndsWith(".SILENT", StringComparison.Ordinal);
        if (silent)
        {
            item = item[..^7];
        }

        FlagOperation? operation = item switch
        {
            "FLAGS" => FlagOperation.Replace,
            "+FLAGS" => FlagOperation.Add,
            "-FLAGS" => FlagOperation.Remove,
            _ => null,
        };
        var flagTokens = args.Count == i + 2 && args[i + 1].IsList ? args[i + 1].Items : args.Skip(i + 1);
        if (operation is null || !FlagParser.TryParse(flagTokens, out var flags, out var keywords))
        {
            Bad(tag, "Bad STORE item or flags");
            return;
        }

        if (!TryResolve(set, uid, out var indices))
        {
            Bad(tag, "Invalid message sequence number");
            return;
        }

        var selected = _selected!;
        if (selected.ReadOnly)
        {
            No(tag, "Mailbox is read-only");
            return;
        }

        if (unchangedSince is not null)
        {
            _condstore = true; // RFC 7162 §3.1
        }

        var view = selected.View;
        var uids = new List<uint>(indices.Count);
        foreach (var index in indices)
        {
            uids.Add(view[index].Uid);
        }

        var result = uids.Count == 0
            ? new StoreResult([], [])
            : await selected.Folder.StoreFlagsAsync(uids, operation.Value, flags, keywords, unchangedSince, cancellationToken);
        foreach (var changed in result.Changed)
        {
            selected.Replace(changed);
        }

        if (!silent || _condstore)
        {
            HashSet<uint>? modified = result.Modified.Count > 0 ? [.. result.Modified] : null;
            HashSet<uint>? changedUids = silent ? [.. result.Changed.Select(static c => c.Uid)] : null;
            var o = Output;
            foreach (var index in indices)
            {
                var m = view[index];
                // RFC 7162 §3.1.3: with .SILENT, CONDSTORE clients still hear the new MODSEQ of what changed.
                if ((modified is not null && modified.Contains(m.Uid)) || (changedUids is not null && !changedUids.Contains(m.Uid)))
                {
                    continue;
                }

                SelectedFolder.WriteFlagsFetch(o, index + 1, m, uid, _condstore);
            }
        }

        if (result.Modified.Count > 0)
        {
            var numbers = new List<uint>(result.Modified.Count);
            foreach (var u in result.Modified)
            {
                numbers.Add(uid ? u : (uint)(selected.IndexOfUid(u) + 1));
            }

            numbers.Sort();
            selected.WriteUpdates(Output, uid, _condstore);
            Ok(tag, "[MODIFIED " + SequenceSet.Format(numbers) + "] Conditional STORE failed");
            return;
        }

        Complete(tag, "STORE completed", allowExpunge: uid);
    }

    private async Task CopyAsync(string tag, bool uid, IReadOnlyList<ImapToken> args, bool move, CancellationToken cancellationToken)
    {
        var verb = move ? "MOVE" : "COPY";
        if (args.Count != 2 || !args[0].IsAtom || !SequenceSet.TryParse(args[0].Text, out var set) || !args[1].IsAString)
        {
            Bad(tag, "Expected: " + verb + " sequence-set mailbox");
            return;
        }

        if (!TryResolve(set, uid, out var indices))
        {
            Bad(tag, "Invalid message sequence number");
            return;
        }

        var selected = _selected!;
        if (move && selected.ReadOnly)
        {
            No(tag, "Mailbox is read-only");
            return;
        }

        var destination = _mailbox!.GetFolder(FolderName(args[1]));
        if (destination is null)
        {
            No(tag, "[TRYCREATE] No such mailbox");
            return;
        }

        var uids = new List<uint>(indices.Count);
        foreach (var index in indices)
        {
            uids.Add(selected.View[index].Uid);
        }

        if (uids.Count == 0)
        {
            Complete(tag, verb + " completed", allowExpunge: move || uid);
            return;
        }

        var result = await selected.Folder.CopyToAsync(uids, destination, move, cancellationToken);
        var code = result.SourceUids.Count == 0
            ? string.Empty
            : "[COPYUID " + result.DestinationUidValidity + " " + SequenceSet.Format(result.SourceUids) + " " + SequenceSet.Format(result.DestinationUids) + "] ";
        if (move)
        {
            // RFC 6851 §4.3: COPYUID comes in an untagged OK before the EXPUNGEs.
            if (code.Length > 0)
            {
                ImapResponseWriter.Untagged(Output, "OK " + code + "Moved");
            }

            Complete(tag, "MOVE completed");
            return;
        }

        Complete(tag, code + "COPY completed", allowExpunge: uid);
    }

    private async Task ExpungeAsync(string tag, bool uid, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        HashSet<uint>? only = null;
        if (uid)
        {
            // RFC 4315 §2.1: UID EXPUNGE removes only \Deleted messages of the set.
            if (args.Count != 1 || !args[0].IsAtom || !SequenceSet.TryParse(args[0].Text, out var set))
            {
                Bad(tag, "Expected: UID EXPUNGE uid-set");
                return;
            }

            TryResolve(set, true, out var indices);
            only = [];
            foreach (var index in indices)
            {
                only.Add(_selected!.View[index].Uid);
            }
        }
        else if (args.Count != 0)
        {
            Bad(tag, "EXPUNGE takes no arguments");
            return;
        }

        var selected = _selected!;
        if (selected.ReadOnly)
        {
            No(tag, "Mailbox is read-only");
            return;
        }

        var deleted = DeletedUids(selected.Folder.Snapshot().Messages, only);
        if (deleted.Count > 0)
        {
            await selected.Folder.ExpungeAsync(deleted, cancellationToken);
        }

        Complete(tag, "EXPUNGE completed");
    }
}
