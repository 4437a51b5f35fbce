using System.Text;

namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>
/// RFC 3501 §5.1.3 modified UTF-7 for mailbox names, which IMAP4rev1 clients use; after
/// ENABLE UTF8=ACCEPT or IMAP4rev2 names travel as UTF-8 instead (RFC 9051 §5.1).
/// </summary>
public static class ModifiedUtf7
{
    public static string Encode(string name)
    {
        var sb = new StringBuilder(name.Length);
        var i = 0;
        while (i < name.Length)
        {
            var c = name[i];
            if (c is >= ' ' and <= '~')
            {
                sb.Append(c == '&' ? "&-" : c.ToString());
                i++;
                continue;
            }

            var start = i;
            while (i < name.Length && name[i] is < ' ' or > '~')
            {
                i++;
            }

            var utf16 = Encoding.BigEndianUnicode.GetBytes(name[start..i]);
            sb.Append('&').Append(Convert.ToBase64String(utf16).TrimEnd('=').Replace('/', ',')).Append('-');
        }

        return sb.ToString();
    }

    /// <summary>Decodes; a malformed name is returned as given.</summary>
    public static string Decode(string name)
    {
        if (!name.Contains('&', StringComparison.Ordinal))
        {
            return name;
        }

        var sb = new StringBuilder(name.Length);
        var i = 0;
        while (i < name.Length)
        {
            var c = name[i];
            if (c != '&')
            {
                sb.Append(c);
                i++;
                continue;
            }

            var end = name.IndexOf('-', i + 1);
            if (end < 0)
            {
                return name;
            }

            if (end == i + 1)
            {
                sb.Append('&');
            }
            else
            {
                var b64 = name[(i + 1)..end].Replace(',', '/');
                b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
                try
                {
                    sb.Append(Encoding.BigEndianUnicode.GetString(Convert.FromBase64String(b64)));
                }
                catch (FormatException)
                {
                    return name;
                }
            }

            i = end + 1;
        }

        return sb.ToString();
    }
}
