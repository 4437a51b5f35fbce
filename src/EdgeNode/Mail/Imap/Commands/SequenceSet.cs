namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>A sequence-set (RFC 9051 §9) of message sequence numbers or UIDs.</summary>
public sealed class SequenceSet
{
    private SequenceSet(IReadOnlyList<SequenceRange> ranges)
    {
        Ranges = ranges;
    }

    public IReadOnlyList<SequenceRange> Ranges { get; }

    /// <summary>Parses <c>1,3:5,7:*</c>; numbers are non-zero (nz-number).</summary>
    public static bool TryParse(string text, out SequenceSet set)
    {
        set = null!;
        if (text.Length == 0)
        {
            return false;
        }

        var ranges = new List<SequenceRange>();
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                if (!TryNumber(part, out var n))
                {
                    return false;
                }

                ranges.Add(new SequenceRange(n, n));
            }
            else if (!TryNumber(part[..colon], out var a) || !TryNumber(part[(colon + 1)..], out var b))
            {
                return false;
            }
            else
            {
                ranges.Add(new SequenceRange(a, b));
            }
        }

        set = new SequenceSet(ranges);
        return true;
    }

    /// <summary>
    /// The set as sorted, disjoint, inclusive intervals with '*' replaced by <paramref name="largest"/>
    /// (0 when there is nothing: then '*' matches nothing). n:m and m:n mean the same (RFC 9051 §9).
    /// </summary>
    public (uint Low, uint High)[] Resolve(uint largest)
    {
        var list = new List<(uint Low, uint High)>(Ranges.Count);
        foreach (var range in Ranges)
        {
            var a = range.First == SequenceRange.Star ? largest : range.First;
            var b = range.Last == SequenceRange.Star ? largest : range.Last;
            if (a == 0 || b == 0)
            {
                continue;
            }

            list.Add(a <= b ? (a, b) : (b, a));
        }

        list.Sort(static (x, y) => x.Low.CompareTo(y.Low));
        var merged = new List<(uint Low, uint High)>(list.Count);
        foreach (var item in list)
        {
            if (merged.Count > 0 && item.Low <= (ulong)merged[^1].High + 1)
            {
                var last = merged[^1];
                merged[^1] = (last.Low, Math.Max(last.High, item.High));
            }
            else
            {
                merged.Add(item);
            }
        }

        return [.. merged];
    }

    public override string ToString() =>
        string.Join(',', Ranges.Select(static r => r.First == r.Last ? Show(r.First) : Show(r.First) + ":" + Show(r.Last)));

    /// <summary>Writes numbers ascending as a compact set (<c>1:3,7</c>) for COPYUID, MODIFIED and ESEARCH.</summary>
    public static string Format(IEnumerable<uint> numbers)
    {
        var sb = new System.Text.StringBuilder();
        uint start = 0, previous = 0;
        foreach (var n in numbers)
        {
            if (start != 0 && n == previous + 1)
            {
                previous = n;
                continue;
            }

            Flush(sb, start, previous);
            start = previous = n;
        }

        Flush(sb, start, previous);
        return sb.ToString();

        static void Flush(System.Text.StringBuilder sb, uint start, uint end)
        {
            if (start == 0)
            {
                return;
            }

            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(start);
            if (end != start)
            {
                sb.Append(':').Append(end);
            }
        }
    }

    private static string Show(uint n) => n == SequenceRange.Star ? "*" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool TryNumber(string text, out uint value)
    {
        if (text == "*")
        {
            value = SequenceRange.Star;
            return true;
        }

        value = 0;
        if (text.Length == 0 || text[0] == '0' || text.Length > 10)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value != SequenceRange.Star;
    }
}
