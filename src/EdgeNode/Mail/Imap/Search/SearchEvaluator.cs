using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Mailbox;
using MimeKit;

namespace EPostEdge.EdgeNode.Mail.Imap.Search;

/// <summary>
/// Decides whether a message matches a SEARCH program (RFC 9051 §6.4.4). Header and text keys
/// match MimeKit's decoded text, case-insensitively; the parsed message is given only when the
/// program needs it.
/// </summary>
public sealed class SearchEvaluator
{
    private readonly Dictionary<SequenceSet, (uint Low, uint High)[]> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly uint _largestUid;
    private readonly uint _count;

    /// <param name="largestUid">The UID '*' stands for in UID sets.</param>
    /// <param name="count">The number of messages ('*' in sequence sets).</param>
    public SearchEvaluator(uint largestUid, uint count)
    {
        _largestUid = largestUid;
        _count = count;
    }

    public bool Matches(SearchKey key, MessageSummary m, uint sequence, MimeMessage? message)
    {
        switch (key.Kind)
        {
            case SearchKeyKind.All:
                return true;
            case SearchKeyKind.None:
                return false;
            case SearchKeyKind.And:
                foreach (var child in key.Children!)
                {
                    if (!Matches(child, m, sequence, message))
                    {
                        return false;
                    }
                }

                return true;
            case SearchKeyKind.Or:
                return Matches(key.Children![0], m, sequence, message) || Matches(key.Children[1], m, sequence, message);
            case SearchKeyKind.Not:
                return !Matches(key.Children![0], m, sequence, message);
            case SearchKeyKind.Flag:
                return (m.Flags & key.Flag) != 0;
            case SearchKeyKind.NoFlag:
                return (m.Flags & key.Flag) == 0;
            case SearchKeyKind.Keyword:
                return HasKeyword(m, key.Text!);
            case SearchKeyKind.Unkeyword:
                return !HasKeyword(m, key.Text!);
            case SearchKeyKind.Before:
                return DateOf(m.InternalDate) < key.Date;
            case SearchKeyKind.On:
                return DateOf(m.InternalDate) == key.Date;
            case SearchKeyKind.Since:
                return DateOf(m.InternalDate) >= key.Date;
            case SearchKeyKind.SentBefore:
            case SearchKeyKind.SentOn:
            case SearchKeyKind.SentSince:
                return SentMatches(key, message);
            case SearchKeyKind.Larger:
                return m.Size > key.Number;
            case SearchKeyKind.Smaller:
                return m.Size < key.Number;
            case SearchKeyKind.ModSeq:
                return m.ModSeq >= (ulong)key.Number;
            case SearchKeyKind.Uid:
                return InSet(key.Set!, m.Uid, _largestUid);
            case SearchKeyKind.SequenceSet:
                return InSet(key.Set!, sequence, _count);
            case SearchKeyKind.Header:
                return message is not null && HeaderContains(message, key.Field!, key.Text!);
            case SearchKeyKind.Body:
                return message is not null && BodyContains(message, key.Text!);
            case SearchKeyKind.Text:
                return message is not null && (BodyContains(message, key.Text!) || HeadersContain(message, key.Text!));
            default:
                return false;
        }
    }

    /// <summary>RFC 9051 §6.4.4: dates compare by day, disregarding time and timezone.</summary>
    private static DateOnly DateOf(DateTimeOffset value) => DateOnly.FromDateTime(value.DateTime);

    private static bool HasKeyword(MessageSummary m, string keyword)
    {
        foreach (var k in m.Keywords)
        {
            if (k.Equals(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SentMatches(SearchKey key, MimeMessage? message)
    {
        if (message is null || !message.Headers.Contains(HeaderId.Date))
        {
            return false;
        }

        var date = DateOf(message.Date);
        return key.Kind switch
        {
            SearchKeyKind.SentBefore => date < key.Date,
            SearchKeyKind.SentOn => date == key.Date,
            _ => date >= key.Date,
        };
    }

    private bool InSet(SequenceSet set, uint value, uint largest)
    {
        if (!_resolved.TryGetValue(set, out var ranges))
        {
            ranges = set.Resolve(largest);
            _resolved[set] = ranges;
        }

        foreach (var (low, high) in ranges)
        {
            if (value >= low && value <= high)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HeaderContains(MimeMessage message, string field, string text)
    {
        foreach (var header in message.Headers)
        {
            if (header.Field.Equals(field, StringComparison.OrdinalIgnoreCase)
                && (text.Length == 0 || header.Value.Contains(text, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HeadersContain(MimeMessage message, string text)
    {
        foreach (var header in message.Headers)
        {
            if (header.Value.Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool BodyContains(MimeMessage message, string text)
    {
        foreach (var part in message.BodyParts)
        {
            if (part is TextPart textPart && textPart.Text.Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
