using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EPostEdge.EdgeNode.Tests.Web;

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, written from the format's description
/// (not from the writer), so the tests check the writer against the format: HELP and TYPE once
/// per family and before its samples, a family's samples together, valid names, escaped label
/// values, Go float values, a line feed after every line.
/// </summary>
internal sealed partial class Exposition
{
    public sealed record Family(string Name, string Type, string Help, List<Sample> Samples);

    public sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value);

    public Dictionary<string, Family> Families { get; } = new(StringComparer.Ordinal);

    public static Exposition Parse(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var result = new Exposition();
        Family? current = null;
        var closed = new HashSet<string>(StringComparer.Ordinal);
        string? pendingHelp = null;
        string? pendingHelpName = null;
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var match = HelpLine().Match(line);
                Assert.True(match.Success, $"bad HELP line: {line}");
                (pendingHelpName, pendingHelp) = (match.Groups[1].Value, Unescape(match.Groups[2].Value, quotes: false));
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var match = TypeLine().Match(line);
                Assert.True(match.Success, $"bad TYPE line: {line}");
                var name = match.Groups[1].Value;
                Assert.False(result.Families.ContainsKey(name), $"family {name} declared twice");
                Assert.Equal(name, pendingHelpName);
                if (current is not null)
                {
                    closed.Add(current.Name);
                }

                current = new Family(name, match.Groups[2].Value, pendingHelp!, []);
                result.Families[name] = current;
                continue;
            }

            Assert.False(line.StartsWith('#'), $"unexpected comment: {line}");
            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"bad sample line: {line}");
            var sampleName = sample.Groups[1].Value;
            Assert.True(current is not null && current.Name == sampleName, $"sample {sampleName} outside its family (current: {current?.Name})");
            Assert.DoesNotContain(sampleName, closed);
            current!.Samples.Add(new Sample(Labels(sample.Groups[2].Value), Value(sample.Groups[3].Value)));
        }

        return result;
    }

    /// <summary>The one sample of an unlabelled family.</summary>
    public double Single(string name)
    {
        Assert.True(Families.TryGetValue(name, out var family), $"no family {name}");
        return Assert.Single(family.Samples).Value;
    }

    /// <summary>The sample of <paramref name="name"/> whose label <paramref name="label"/> is <paramref name="value"/>.</summary>
    public double With(string name, string label, string value) =>
        Assert.Single(Families[name].Samples, s => s.Labels.TryGetValue(label, out var v) && v == value).Value;

    private static Dictionary<string, string> Labels(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = text;
        while (rest.Length > 0)
        {
            var match = LabelPair().Match(rest);
            Assert.True(match.Success, $"bad labels: {text}");
            Assert.True(labels.TryAdd(match.Groups[1].Value, Unescape(match.Groups[2].Value, quotes: true)), $"label twice: {text}");
            rest = rest[match.Length..];
        }

        return labels;
    }

    private static double Value(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string text, bool quotes)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            var next = text[++i];
            result.Append(next switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quotes => '"',
                _ => throw new FormatException($"bad escape \\{next} in {text}"),
            });
        }

        return result.ToString();
    }

    [GeneratedRegex(@"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) ((?:[^\\\n]|\\[\\n])*)$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\\n]|\\[\\n""])*"",?)*)\})? (\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"^([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\\n]|\\[\\n""])*)"",?")]
    private static partial Regex LabelPair();
}
