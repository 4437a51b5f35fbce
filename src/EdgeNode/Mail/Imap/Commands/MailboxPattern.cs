namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>LIST patterns (RFC 9051 §6.3.9): '*' matches anything, '%' anything but the delimiter '/'.</summary>
public static class MailboxPattern
{
    public static bool Matches(string pattern, string name)
    {
        // INBOX is case-insensitive (RFC 9051 §5.1), so "inb*" finds it; other names are not.
        if (name.Equals("INBOX", StringComparison.Ordinal))
        {
            return Match(pattern.ToUpperInvariant(), 0, name, 0, 0);
        }

        if (name.StartsWith("INBOX/", StringComparison.Ordinal) && pattern.StartsWith("INBOX/", StringComparison.OrdinalIgnoreCase))
        {
            pattern = "INBOX/" + pattern[6..];
        }

        return Match(pattern, 0, name, 0, 0);
    }

    private static bool Match(string p, int i, string n, int j, int depth)
    {
        if (depth > 64)
        {
            return false;
        }

        while (i < p.Length)
        {
            var c = p[i];
            if (c is '*' or '%')
            {
                for (var k = j; k <= n.Length; k++)
                {
                    if (Match(p, i + 1, n, k, depth + 1))
                    {
                        return true;
                    }

                    if (k < n.Length && c == '%' && n[k] == '/')
                    {
                        return false;
                    }
                }

                return false;
            }

            if (j >= n.Length || n[j] != c)
            {
                return false;
            }

            i++;
            j++;
        }

        return j == n.Length;
    }
}
