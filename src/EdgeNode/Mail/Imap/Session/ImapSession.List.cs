using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>LIST (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154) and LSUB.</summary>
internal sealed partial class ImapSession
{
    private void List(string tag, IReadOnlyList<ImapToken> args, bool lsub)
    {
        var i = 0;
        bool selectSubscribed = lsub, selectSpecialUse = false;
        bool returnSubscribed = false, returnSpecialUse = true, returnChildren = true;
        List<string>? statusItems = null;
        if (!lsub && i < args.Count && args[i].IsList)
        {
            foreach (var option in args[i].Items)
            {
                if (option.IsWord("SUBSCRIBED"))
                {
                    selectSubscribed = returnSubscribed = true;
                }
                else if (option.IsWord("SPECIAL-USE"))
                {
                    selectSpecialUse = true;
                }
                else if (!option.IsWord("REMOTE") && !option.IsWord("RECURSIVEMATCH"))
                {
                    Bad(tag, "Unknown LIST selection option");
                    return;
                }
            }

            i++;
        }

        if (args.Count < i + 2 || !args[i].IsAString || !(args[i + 1].IsAString || args[i + 1].IsList))
        {
            Bad(tag, "Expected: " + (lsub ? "LSUB" : "LIST") + " reference pattern");
            return;
        }

        var reference = FolderName(args[i]);
        var patterns = new List<string>();
        if (args[i + 1].IsList)
        {
            foreach (var p in args[i + 1].Items)
            {
                patterns.Add(FolderName(p));
            }
        }
        else
        {
            patterns.Add(_utf8 || _rev2 ? args[i + 1].Text : ModifiedUtf7.Decode(args[i + 1].Text));
        }

        i += 2;
        if (i < args.Count)
        {
            if (lsub || !args[i].IsWord("RETURN") || i + 2 != args.Count || !args[i + 1].IsList)
            {
                Bad(tag, "Bad LIST return options");
                return;
            }

            var options = args[i + 1].Items;
            for (var k = 0; k < options.Count; k++)
            {
                if (options[k].IsWord("SUBSCRIBED"))
                {
                    returnSubscribed = true;
                }
                else if (options[k].IsWord("CHILDREN") || options[k].IsWord("SPECIAL-USE"))
                {
                    // always returned
                }
                else if (options[k].IsWord("STATUS") && k + 1 < options.Count && options[k + 1].IsList
                    && TryStatusItems(options[k + 1].Items, out var items))
                {
                    statusItems = items;
                    k++;
                }
                else
                {
                    Bad(tag, "Unknown LIST return option");
                    return;
                }
            }
        }

        if (patterns.Count == 1 && patterns[0].Length == 0)
        {
            // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root.
            ImapResponseWriter.Untagged(Output, (lsub ? "LSUB" : "LIST") + " (\\Noselect) \"/\" \"\"");
            Complete(tag, (lsub ? "LSUB" : "LIST") + " completed");
            return;
        }

        var folders = _mailbox!.ListFolders();
        foreach (var folder in folders)
        {
            if ((selectSubscribed && !folder.Subscribed) || (selectSpecialUse && folder.SpecialUse == SpecialUse.None))
            {
                continue;
            }

            var matched = false;
            foreach (var pattern in patterns)
            {
                if (MailboxPattern.Matches(reference + pattern, folder.Name))
                {
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                continue;
            }

            var attributes = new List<string>(3);
            if (returnChildren)
            {
                attributes.Add(HasChildren(folders, folder.Name) ? "\\HasChildren" : "\\HasNoChildren");
            }

            if (returnSubscribed && folder.Subscribed)
            {
                attributes.Add("\\Subscribed");
            }

            if (returnSpecialUse && folder.SpecialUse != SpecialUse.None)
            {
                attributes.Add("\\" + folder.SpecialUse);
            }

            var o = Output;
            ImapResponseWriter.Raw(o, lsub ? "* LSUB ("u8 : "* LIST ("u8);
            ImapResponseWriter.Raw(o, string.Join(' ', attributes));
            ImapResponseWriter.Raw(o, ") \"/\" "u8);
            ImapResponseWriter.MailboxName(o, WireName(folder.Name));
            ImapResponseWriter.Raw(o, "\r\n"u8);
            if (statusItems is not null && _mailbox.GetFolder(folder.Name) is { } statusFolder)
            {
                WriteStatus(folder.Name, statusFolder, statusItems);
            }
        }

        Complete(tag, (lsub ? "LSUB" : "LIST") + " completed");
    }

    private static bool HasChildren(IReadOnlyList<FolderInfo> folders, string name)
    {
        foreach (var other in folders)
        {
            if (other.Name.Length > name.Length + 1 && other.Name[name.Length] == '/' && other.Name.StartsWith(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
