using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>CREATE, DELETE, RENAME, (UN)SUBSCRIBE, SELECT/EXAMINE, CLOSE/UNSELECT, STATUS, APPEND (RFC 9051 §6.3).</summary>
internal sealed partial class ImapSession
{
    private const string SystemFlagList = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";

    /// <summary>A mailbox argument as a folder name: modified UTF-7 decoded for IMAP4rev1 clients, INBOX canonical.</summary>
    private string FolderName(ImapToken token)
    {
        var name = _utf8 || _rev2 ? token.Text : ModifiedUtf7.Decode(token.Text);
        return name.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : name;
    }

    /// <summary>A folder name as the client should see it.</summary>
    private string WireName(string name) => _utf8 || _rev2 ? name : ModifiedUtf7.Encode(name);

    private async Task ChangeFolderAsync(string tag, string command, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        if (args.Count != 1 || !args[0].IsAString)
        {
            Bad(tag, "Expected: " + command + " mailbox");
            return;
        }

        var name = FolderName(args[0]);
        switch (command)
        {
            case "CREATE":
                // RFC 9051 §6.3.4: a trailing delimiter only says the client means to create children.
                await _mailbox!.CreateFolderAsync(name.TrimEnd('/'), cancellationToken);
                break;
            case "DELETE":
                if (_selected is not null && _selected.Name == name)
                {
                    No(tag, "[INUSE] Mailbox is selected");
                    return;
                }

                await _mailbox!.DeleteFolderAsync(name, cancellationToken);
                break;
            default:
                if (_mailbox!.GetFolder(name) is null && command == "SUBSCRIBE")
                {
                    No(tag, "[NONEXISTENT] No such mailbox");
                    return;
                }

                await _mailbox.SetSubscribedAsync(name, command == "SUBSCRIBE", cancellationToken);
                break;
        }

        Complete(tag, command + " completed");
    }

    private async Task RenameAsync(string tag, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        if (args.Count != 2 || !args[0].IsAString || !args[1].IsAString)
        {
            Bad(tag, "Expected: RENAME old new");
            return;
        }

        await _mailbox!.RenameFolderAsync(FolderName(args[0]), FolderName(args[1]), cancellationToken);
        Complete(tag, "RENAME completed");
    }

    private void Select(string tag, IReadOnlyList<ImapToken> args, bool readOnly)
    {
        var verb = readOnly ? "EXAMINE" : "SELECT";
        if (args.Count is < 1 or > 2 || !args[0].IsAString || (args.Count == 2 && !args[1].IsList))
        {
            Bad(tag, "Expected: " + verb + " mailbox [(CONDSTORE)]");
            return;
        }

        var condstoreParameter = false;
        if (args.Count == 2)
        {
            foreach (var p in args[1].Items)
            {
                if (!p.IsWord("CONDSTORE"))
                {
                    Bad(tag, "Unknown SELECT parameter");
                    return;
                }

                condstoreParameter = true;
            }
        }

        _parsed.Clear();
        if (_selected is not null)
        {
            // RFC 9051 §6.3.2 / RFC 7162 §3.2.11: the old mailbox is closed before the new one opens.
            _selected = null;
            _state = ImapSessionState.Authenticated;
            ImapResponseWriter.Untagged(Output, "OK [CLOSED] Previous mailbox closed");
        }

        var name = FolderName(args[0]);
        var folder = _mailbox!.GetFolder(name);
        if (folder is null)
        {
            No(tag, "[NONEXISTENT] No such mailbox");
            return;
        }

        _condstore |= condstoreParameter; // RFC 7162 §3.1: SELECT (CONDSTORE) enables it
        var selected = new SelectedFolder(folder, name, readOnly);
        var snapshot = selected.LastSeen;
        var o = Output;
        ImapResponseWriter.Untagged(o, "FLAGS " + SystemFlagList);
        ImapResponseWriter.Untagged(o, readOnly
            ? "OK [PERMANENTFLAGS ()] Read-only mailbox"
            : "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted");
        ImapResponseWriter.Raw(o, "* "u8);
        ImapResponseWriter.Number(o, (ulong)snapshot.Messages.Count);
        ImapResponseWriter.Raw(o, " EXISTS\r\n"u8);
        if (!_rev2)
        {
            ImapResponseWriter.Raw(o, "* 0 RECENT\r\n"u8);
            var firstUnseen = FirstUnseen(snapshot.Messages);
            if (firstUnseen > 0)
            {
                ImapResponseWriter.Untagged(o, "OK [UNSEEN " + firstUnseen + "] First unseen");
            }
        }

        ImapResponseWriter.Untagged(o, "OK [UIDVALIDITY " + snapshot.UidValidity + "] UIDs valid");
        ImapResponseWriter.Untagged(o, "OK [UIDNEXT " + snapshot.UidNext + "] Predicted next UID");
        if (_condstore)
        {
            ImapResponseWriter.Untagged(o, "OK [HIGHESTMODSEQ " + snapshot.HighestModSeq + "] Highest");
        }

        _selected = selected;
        _state = ImapSessionState.Selected;
        Ok(tag, (readOnly ? "[READ-ONLY] " : "[READ-WRITE] ") + verb + " completed");
    }

    private static int FirstUnseen(IReadOnlyList<MessageSummary> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            if ((messages[i].Flags & MessageFlags.Seen) == 0)
            {
                return i + 1;
            }
        }

        return 0;
    }

    private async Task CloseAsync(string tag, bool expunge, CancellationToken cancellationToken)
    {
        var selected = _selected!;
        _selected = null;
        _state = ImapSessionState.Authenticated;
        _parsed.Clear();
        if (expunge && !selected.ReadOnly)
        {
            // RFC 9051 §6.4.1: CLOSE removes \Deleted messages without untagged EXPUNGE responses.
            var deleted = DeletedUids(selected.Folder.Snapshot().Messages, null);
            if (deleted.Count > 0)
            {
                await selected.Folder.ExpungeAsync(deleted, cancellationToken);
            }
        }

        Ok(tag, (expunge ? "CLOSE" : "UNSELECT") + " completed");
    }

    private static List<uint> DeletedUids(IReadOnlyList<MessageSummary> messages, HashSet<uint>? only)
    {
        var uids = new List<uint>();
        foreach (var m in messages)
        {
            if ((m.Flags & MessageFlags.Deleted) != 0 && (only is null || only.Contains(m.Uid)))
            {
                uids.Add(m.Uid);
            }
        }

        return uids;
    }

    private void Status(string tag, IReadOnlyList<ImapToken> args)
    {
        if (args.Count != 2 || !args[0].IsAString || !args[1].IsList || args[1].Items.Count == 0)
        {
            Bad(tag, "Expected: STATUS mailbox (items)");
            return;
        }

        var name = FolderName(args[0]);
        var folder = _mailbox!.GetFolder(name);
        if (folder is null)
        {
            No(tag, "[NONEXISTENT] No such mailbox");
            return;
        }

        if (!TryStatusItems(args[1].Items, out var items))
        {
            Bad(tag, "Unknown STATUS item");
            return;
        }

        WriteStatus(name, folder, items);
        Complete(tag, "STATUS completed");
    }

    private static bool TryStatusItems(IReadOnlyList<ImapToken> tokens, out List<string> items)
    {
        items = new List<string>(tokens.Count);
        foreach (var t in tokens)
        {
            var word = t.IsAtom ? t.Text.ToUpperInvariant() : string.Empty;
            if (word is not ("MESSAGES" or "UIDNEXT" or "UIDVALIDITY" or "UNSEEN" or "DELETED" or "SIZE" or "HIGHESTMODSEQ" or "RECENT"))
            {
                return false;
            }

            items.Add(word);
        }

        return true;
    }

    private void WriteStatus(string name, IMailFolder folder, List<string> items)
    {
        var snapshot = folder.Snapshot();
        long unseen = 0, deleted = 0, size = 0;
        foreach (var m in snapshot.Messages)
        {
            unseen += (m.Flags & MessageFlags.Seen) == 0 ? 1 : 0;
            deleted += (m.Flags & MessageFlags.Deleted) != 0 ? 1 : 0;
            size += m.Size;
        }

        var o = Output;
        ImapResponseWriter.Raw(o, "* STATUS "u8);
        ImapResponseWriter.MailboxName(o, WireName(name));
        ImapResponseWriter.Raw(o, " ("u8);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                ImapResponseWriter.Raw(o, " "u8);
            }

            ImapResponseWriter.Raw(o, items[i]);
            ImapResponseWriter.Raw(o, " "u8);
            ImapResponseWriter.Number(o, items[i] switch
            {
                "MESSAGES" => (ulong)snapshot.Messages.Count,
                "UIDNEXT" => snapshot.UidNext,
                "UIDVALIDITY" => snapshot.UidValidity,
                "UNSEEN" => (ulong)unseen,
                "DELETED" => (ulong)deleted,
                "SIZE" => (ulong)size,
                "HIGHESTMODSEQ" => snapshot.HighestModSeq,
                _ => 0UL,
            });
        }

        ImapResponseWriter.Raw(o, ")\r\n"u8);
    }

    private async Task AppendAsync(string tag, IReadOnlyList<ImapToken> args, CancellationToken cancellationToken)
    {
        // APPEND mailbox [flag-list] [date-time] literal (RFC 9051 §6.3.12).
        if (args.Count is < 2 or > 4 || !args[0].IsAString || args[^1].Kind != ImapTokenKind.Literal)
        {
            Bad(tag, "Expected: APPEND mailbox [(flags)] [date-time] literal");
            return;
        }

        var flags = MessageFlags.None;
        List<string> keywords = [];
        var internalDate = _time.GetUtcNow();
        for (var i = 1; i < args.Count - 1; i++)
        {
            if (args[i].IsList && i == 1)
            {
                if (!FlagParser.TryParse(args[i].Items, out flags, out keywords))
                {
                    Bad(tag, "Bad flag list");
                    return;
                }
            }
            else if (args[i].Kind == ImapTokenKind.Quoted && ImapDateTime.TryParse(args[i].Text, out var date))
            {
                internalDate = date;
            }
            else
            {
                Bad(tag, "Bad APPEND argument");
                return;
            }
        }

        var name = FolderName(args[0]);
        var folder = _mailbox!.GetFolder(name);
        if (folder is null)
        {
            No(tag, "[TRYCREATE] No such mailbox");
            return;
        }

        var message = args[^1].Bytes!;
        if (message.Length > _options.MaxMessageBytes)
        {
            No(tag, "[TOOBIG] Message too big");
            return;
        }

        var uid = await folder.AppendAsync(message, flags, keywords, internalDate, cancellationToken);
        var validity = folder.Snapshot().UidValidity;
        Complete(tag, "[APPENDUID " + validity + " " + uid + "] APPEND completed");
    }
}
