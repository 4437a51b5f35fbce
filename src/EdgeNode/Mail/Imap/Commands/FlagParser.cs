using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>flag-list / flags for STORE and APPEND (RFC 9051 §2.3.2, §9).</summary>
public static class FlagParser
{
    /// <summary>Reads flags from a list token, or from bare flag atoms (STORE allows both).</summary>
    public static bool TryParse(IEnumerable<ImapToken> tokens, out MessageFlags flags, out List<string> keywords)
    {
        flags = MessageFlags.None;
        keywords = [];
        foreach (var token in tokens)
        {
            if (!token.IsAtom)
            {
                return false;
            }

            var text = token.Text;
            if (text.StartsWith('\\'))
            {
                MessageFlags? flag = text.ToUpperInvariant() switch
                {
                    "\\SEEN" => MessageFlags.Seen,
                    "\\ANSWERED" => MessageFlags.Answered,
                    "\\FLAGGED" => MessageFlags.Flagged,
                    "\\DELETED" => MessageFlags.Deleted,
                    "\\DRAFT" => MessageFlags.Draft,
                    "\\RECENT" => MessageFlags.None, // RFC 3501: cannot be stored; ignored
                    _ => null,
                };
                if (flag is null)
                {
                    return false;
                }

                flags |= flag.Value;
            }
            else
            {
                if (!IsAtom(text))
                {
                    return false;
                }

                if (!keywords.Exists(k => k.Equals(text, StringComparison.OrdinalIgnoreCase)))
                {
                    keywords.Add(text);
                }
            }
        }

        return true;
    }

    private static bool IsAtom(string text)
    {
        foreach (var c in text)
        {
            if (c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']')
            {
                return false;
            }
        }

        return text.Length > 0;
    }
}
