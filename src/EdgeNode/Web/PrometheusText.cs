using System.Globalization;
using System.Text;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// A writer of the Prometheus text exposition format 0.0.4: per family one <c># HELP</c> and one
/// <c># TYPE</c> line, then its samples, each line ending in a line feed (Prometheus docs,
/// "Exposition formats", text-based format).
/// </summary>
public sealed class PrometheusText
{
    /// <summary>The Content-Type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private string? _current;

    /// <summary>Starts a family; a family is written once, its samples right after.</summary>
    /// <param name="name">The metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).</param>
    /// <param name="type">counter, gauge, untyped…</param>
    /// <param name="help">One line of help.</param>
    public PrometheusText Family(string name, string type, string help)
    {
        if (!IsName(name))
        {
            throw new ArgumentException($"'{name}' is not a metric name", nameof(name));
        }

        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"the family {name} was already written");
        }

        _current = name;

        // HELP escapes backslash and line feed; TYPE is one of the format's words.
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>A sample without labels of the current family.</summary>
    public PrometheusText Sample(double value) => Sample(value, []);

    /// <summary>A sample of the current family with label pairs (name, value).</summary>
    public PrometheusText Sample(double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        var name = _current ?? throw new InvalidOperationException("a sample needs a family first");
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (!IsName(labels[i].Name) || labels[i].Name.Contains(':', StringComparison.Ordinal))
                {
                    throw new ArgumentException($"'{labels[i].Name}' is not a label name", nameof(labels));
                }

                // Label values escape backslash, double quote and line feed.
                _text.Append(i == 0 ? string.Empty : ",").Append(labels[i].Name).Append("=\"")
                    .Append(labels[i].Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
                    .Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    /// <summary>A family with one unlabelled sample.</summary>
    public PrometheusText Gauge(string name, string help, double value) => Family(name, "gauge", help).Sample(value);

    /// <summary>The text so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>A value as the format writes it: Go's float syntax, NaN, +Inf, -Inf.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static bool IsName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
