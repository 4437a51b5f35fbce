using System.Globalization;

namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>date-time of APPEND (RFC 9051 §9): <c>"dd-Mon-yyyy hh:mm:ss +zzzz"</c>, day space-padded or not.</summary>
public static class ImapDateTime
{
    private static readonly string[] Formats = ["d-MMM-yyyy HH:mm:ss zzz", "dd-MMM-yyyy HH:mm:ss zzz"];

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        var t = text.Trim();
        if (t.Length < 5)
        {
            return false;
        }

        // .NET's zzz wants +hh:mm; IMAP writes +hhmm.
        var zone = t[^5..];
        if (zone[0] is not ('+' or '-'))
        {
            return false;
        }

        t = t[..^5] + zone[..3] + ":" + zone[3..];
        return DateTimeOffset.TryParseExact(t, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }
}
