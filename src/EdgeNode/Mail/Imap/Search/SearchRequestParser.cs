using System.Globalization;
using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Search;

/// <summary>Reads SEARCH arguments (RFC 9051 §6.4.4): [RETURN (...)] [CHARSET x] keys.</summary>
public static class SearchRequestParser
{
    private const int MaxDepth = 64;

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>Parses; <paramref name="badCharset"/> is set for an unsupported CHARSET ([BADCHARSET], RFC 9051 §7.1).</summary>
    public static bool TryParse(IReadOnlyList<ImapToken> args, out SearchRequest request, out string error, out bool badCharset)
    {
        request = null!;
        badCharset = false;
        error = "Bad search criteria";
        var i = 0;
        SearchReturn? ret = null;
        if (i < args.Count && args[i].IsWord("RETURN"))
        {
            if (i + 1 >= args.Count || !args[i + 1].IsList)
            {
                return false;
            }

            var options = SearchReturn.None;
            foreach (var option in args[i + 1].Items)
            {
                SearchReturn? one = option.IsAtom ? option.Text.ToUpperInvariant() switch
                {
                    "MIN" => SearchReturn.Min,
                    "MAX" => SearchReturn.Max,
                    "ALL" => SearchReturn.All,
                    "COUNT" => SearchReturn.Count,
                    _ => null,
                } : null;
                if (one is null)
                {
                    error = "Unknown RETURN option";
                    return false;
                }

                options |= one.Value;
            }

            ret = options == SearchReturn.None ? SearchReturn.All : options;
            i += 2;
        }

        if (i < args.Count && args[i].IsWord("CHARSET"))
        {
            if (i + 1 >= args.Count || !args[i + 1].IsAString)
            {
                return false;
            }

            var charset = args[i + 1].Text;
            if (!charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase))
            {
                badCharset = true;
                error = "Unsupported charset";
                return false;
            }

            i += 2;
        }

        var keys = new List<SearchKey>();
        while (i < args.Count)
        {
            if (!TryParseKey(args, ref i, 0, out var key))
            {
                return false;
            }

            keys.Add(key);
        }

        if (keys.Count == 0)
        {
            error = "Missing search criteria";
            return false;
        }

        request = new SearchRequest(keys.Count == 1 ? keys[0] : new SearchKey(SearchKeyKind.And, keys), ret);
        error = string.Empty;
        return true;
    }

    private static bool TryParseKey(IReadOnlyList<ImapToken> args, ref int i, int depth, out SearchKey key)
    {
        key = null!;
        if (depth > MaxDepth || i >= args.Count)
        {
            return false;
        }

        var token = args[i++];
        if (token.IsList)
        {
            var children = new List<SearchKey>();
            var j = 0;
            while (j < token.Items.Count)
            {
                if (!TryParseKey(token.Items, ref j, depth + 1, out var child))
                {
                    return false;
                }

                children.Add(child);
            }

            if (children.Count == 0)
            {
                return false;
            }

            key = children.Count == 1 ? children[0] : new SearchKey(SearchKeyKind.And, children);
            return true;
        }

        if (!token.IsAtom)
        {
            return false;
        }

        var word = token.Text.ToUpperInvariant();
        switch (word)
        {
            case "ALL":
                key = new SearchKey(SearchKeyKind.All);
                return true;
            case "ANSWERED": return FlagKey(SearchKeyKind.Flag, MessageFlags.Answered, out key);
            case "DELETED": return FlagKey(SearchKeyKind.Flag, MessageFlags.Deleted, out key);
            case "FLAGGED": return FlagKey(SearchKeyKind.Flag, MessageFlags.Flagged, out key);
            case "SEEN": return FlagKey(SearchKeyKind.Flag, MessageFlags.Seen, out key);
            case "DRAFT": return FlagKey(SearchKeyKind.Flag, MessageFlags.Draft, out key);
            case "UNANSWERED": return FlagKey(SearchKeyKind.NoFlag, MessageFlags.Answered, out key);
            case "UNDELETED": return FlagKey(SearchKeyKind.NoFlag, MessageFlags.Deleted, out key);
            case "UNFLAGGED": return FlagKey(SearchKeyKind.NoFlag, MessageFlags.Flagged, out key);
            case "UNSEEN": return FlagKey(SearchKeyKind.NoFlag, MessageFlags.Seen, out key);
            case "UNDRAFT": return FlagKey(SearchKeyKind.NoFlag, MessageFlags.Draft, out key);
            case "NEW" or "RECENT":
                key = new SearchKey(SearchKeyKind.None);
                return true;
            case "OLD":
                key = new SearchKey(SearchKeyKind.All);
                return true;
            case "KEYWORD" or "UNKEYWORD":
                if (!TryArgument(args, ref i, out var keyword) || !args[i - 1].IsAtom)
                {
                    return false;
                }

                key = new SearchKey(word == "KEYWORD" ? SearchKeyKind.Keyword : SearchKeyKind.Unkeyword, Text: keyword);
                return true;
            case "BEFORE" or "ON" or "SINCE" or "SENTBEFORE" or "SENTON" or "SENTSINCE":
                if (!TryArgument(args, ref i, out var dateText) || !TryParseDate(dateText, out var date))
                {
                    return false;
                }

                key = new SearchKey(
                    word switch
                    {
                        "BEFORE" => SearchKeyKind.Before,
                        "ON" => SearchKeyKind.On,
                        "SINCE" => SearchKeyKind.Since,
                        "SENTBEFORE" => SearchKeyKind.SentBefore,
                        "SENTON" => SearchKeyKind.SentOn,
                        _ => SearchKeyKind.SentSince,
                    },
                    Date: date);
                return true;
            case "LARGER" or "SMALLER" or "MODSEQ":
                if (word == "MODSEQ" && i + 2 < args.Count && args[i].IsString)
                {
                    i += 2; // RFC 7162 §3.1.5: optional entry-name and entry-type-req, ignored
                }

                if (!TryArgument(args, ref i, out var numberText) || !long.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    return false;
                }

                key = new SearchKey(word switch { "LARGER" => SearchKeyKind.Larger, "SMALLER" => SearchKeyKind.Smaller, _ => SearchKeyKind.ModSeq }, Number: number);
                return true;
            case "FROM" or "TO" or "CC" or "BCC" or "SUBJECT":
                if (!TryArgument(args, ref i, out var value))
                {
                    return false;
                }

                key = new SearchKey(SearchKeyKind.Header, Field: word, Text: value);
                return true;
            case "HEADER":
                if (!TryArgument(args, ref i, out var field) || !TryArgument(args, ref i, out var fieldValue))
                {
                    return false;
                }

                key = new SearchKey(SearchKeyKind.Header, Field: field.ToUpperInvariant(), Text: fieldValue);
                return true;
            case "BODY" or "TEXT":
                if (!TryArgument(args, ref i, out var text))
                {
                    return false;
                }

                key = new SearchKey(word == "BODY" ? SearchKeyKind.Body : SearchKeyKind.Text, Text: text);
                return true;
            case "UID":
                if (!TryArgument(args, ref i, out var uidText) || !SequenceSet.TryParse(uidText, out var uids))
                {
                    return false;
                }

                key = new SearchKey(SearchKeyKind.Uid, Set: uids);
                return true;
            case "NOT":
                if (!TryParseKey(args, ref i, depth + 1, out var negated))
                {
                    return false;
                }

                key = new SearchKey(SearchKeyKind.Not, [negated]);
                return true;
            case "OR":
                if (!TryParseKey(args, ref i, depth + 1, out var left) || !TryParseKey(args, ref i, depth + 1, out var right))
                {
                    return false;
                }

                key = new SearchKey(SearchKeyKind.Or, [left, right]);
                return true;
            default:
                if (SequenceSet.TryParse(token.Text, out var set))
                {
                    key = new SearchKey(SearchKeyKind.SequenceSet, Set: set);
                    return true;
                }

                return false;
        }
    }

    private static bool FlagKey(SearchKeyKind kind, MessageFlags flag, out SearchKey key)
    {
        key = new SearchKey(kind, Flag: flag);
        return true;
    }

    private static bool TryArgument(IReadOnlyList<ImapToken> args, ref int i, out string text)
    {
        if (i >= args.Count || !args[i].IsAString)
        {
            text = string.Empty;
            return false;
        }

        text = args[i++].Text;
        return true;
    }

    /// <summary>date = date-day "-" date-month "-" date-year (RFC 9051 §9), e.g. 1-Feb-1994.</summary>
    public static bool TryParseDate(string text, out DateOnly date)
    {
        date = default;
        var parts = text.Split('-');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || parts[2].Length != 4)
        {
            return false;
        }

        var month = Array.IndexOf(Months, parts[1].ToUpperInvariant()) + 1;
        if (month == 0 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }
}
