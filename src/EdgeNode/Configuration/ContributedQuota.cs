using System.Globalization;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// Overlay:ContributedQuota: a size ("20G") or a share of the disk ("25%"): that percent of the
/// space the held store could have, which is the data folder's free space plus what DATA/held
/// already holds (so the figure does not shrink as the node fills it, restart after restart).
/// </summary>
internal static class ContributedQuota
{
    /// <summary>The held store's folder (Overlay/DistributedStore.HeldFolder).</summary>
    private const string HeldFolder = "held";

    /// <summary>A size or a percent from 1 to 100.</summary>
    public static bool IsValid(string? text) => ByteSize.TryParse(text, out _) || TryParsePercent(text, out _);

    /// <summary>"25%" → 25; false when <paramref name="text"/> is not a percent from 1 to 100.</summary>
    public static bool TryParsePercent(string? text, out int percent)
    {
        percent = 0;
        var trimmed = text?.Trim();
        return trimmed is { Length: > 1 } && trimmed[^1] == '%'
            && int.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out percent)
            && percent is >= 1 and <= 100;
    }

    /// <summary>The quota in bytes (0 when <paramref name="text"/> is neither a size nor a percent: validation reports it).</summary>
    public static long Resolve(string? text, IFileSystem fileSystem, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        if (ByteSize.TryParse(text, out var bytes))
        {
            return bytes;
        }

        if (!TryParsePercent(text, out var percent))
        {
            return 0;
        }

        var room = fileSystem.GetAvailableBytes(dataDirectory) + HeldBytes(fileSystem, dataDirectory);
        return (long)(room * (percent / 100.0));
    }

    // IFileSystem lists files only: DATA/held keeps its journal one level down.
    private static long HeldBytes(IFileSystem fileSystem, string dataDirectory)
    {
        long total = 0;
        var held = Path.Combine(dataDirectory, HeldFolder);
        foreach (var directory in new[] { held, Path.Combine(held, "journal") })
        {
            foreach (var name in fileSystem.List(directory))
            {
                using var file = fileSystem.Open(Path.Combine(directory, name), FileOpenMode.ReadOnly);
                total += file.Length;
            }
        }

        return total;
    }
}
