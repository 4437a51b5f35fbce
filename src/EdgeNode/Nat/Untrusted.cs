using System.Text;

namespace EPostEdge.EdgeNode.Nat;

/// <summary>
/// Text that came from the network (a router's header, XML, error description), made safe to
/// quote in a log line or status.json: at most 80 characters, control characters shown as '?'.
/// </summary>
internal static class Untrusted
{
    public const int MaxQuoted = 80;

    public static string Quote(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var cut = text.Length > MaxQuoted;
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuoted) + 3);
        foreach (var c in cut ? text.AsSpan(0, MaxQuoted - 3) : text.AsSpan())
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) ? '?' : c);
        }

        return cut ? builder.Append("...").ToString() : builder.ToString();
    }
}
