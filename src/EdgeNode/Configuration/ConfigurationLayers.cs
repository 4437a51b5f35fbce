using Microsoft.Extensions.Configuration;

namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// The layers of <see cref="NodeConfiguration.Load"/> as flat key/value maps ("Smtp:Port" → "25"),
/// the form .NET configuration merges: later layers win key by key.
/// </summary>
internal static class ConfigurationLayers
{
    /// <summary>The settings of a JSON document (nulls and empty sections left out: they set nothing).</summary>
    /// <exception cref="System.Text.Json.JsonException">Not valid JSON (possibly as the inner exception of a FormatException).</exception>
    public static Dictionary<string, string> Flatten(byte[] json)
    {
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(json)).Build();
        var flat = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in root.AsEnumerable())
        {
            if (value is not null)
            {
                flat[key] = value;
            }
        }

        return flat;
    }

    /// <summary>What a file written against <paramref name="profile"/> holds when nothing was changed: the defaults under that profile.</summary>
    public static Dictionary<string, string> Baseline(byte[] defaults, byte[]? profile)
    {
        var baseline = Flatten(defaults);
        if (profile is not null)
        {
            foreach (var (key, value) in Flatten(profile))
            {
                baseline[key] = value;
            }
        }

        return baseline;
    }

    /// <summary>The entries of <paramref name="layer"/> that differ from <paramref name="baseline"/> (or are not in it).</summary>
    public static Dictionary<string, string> Changed(Dictionary<string, string> layer, Dictionary<string, string> baseline)
    {
        var changed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in layer)
        {
            if (!baseline.TryGetValue(key, out var unchanged) || !string.Equals(value, unchanged, StringComparison.Ordinal))
            {
                changed[key] = value;
            }
        }

        return changed;
    }
}
