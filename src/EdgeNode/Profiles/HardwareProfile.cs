using System.Text.Json;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Profiles;

/// <summary>
/// A hw-profile: a configuration layer for one kind of board (hw-profiles/*.json), with the same
/// sections as DATA/epostedge.json plus "Budget" and "Leds". The repository's profiles are
/// embedded in the binary (read through the manifest resource stream, which Native AOT keeps),
/// so <c>run --profile pi-zero-2w</c> works from the lone executable; a path to a JSON file
/// works too.
/// </summary>
public sealed class HardwareProfile
{
    private const string ResourcePrefix = "hw-profiles/";
    private const string ResourceSuffix = ".json";

    private HardwareProfile(string name, string source, byte[] json, string? board)
    {
        Name = name;
        Source = source;
        Json = json;
        Board = board;
    }

    /// <summary>The profiles built into this binary, by name, in ordinal order.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(HardwareProfile).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^ResourceSuffix.Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>"pi-zero-2w", or the file name without ".json" for a profile given as a path.</summary>
    public string Name { get; }

    /// <summary>"built in", or the full path of the file it came from.</summary>
    public string Source { get; }

    /// <summary>The profile's JSON (a configuration layer).</summary>
    public byte[] Json { get; }

    /// <summary>The board the profile was written for (its "Board" key), for messages.</summary>
    public string? Board { get; }

    /// <summary>Whether <paramref name="nameOrPath"/> names a file rather than a built-in profile.</summary>
    public static bool IsPath(string nameOrPath) =>
        nameOrPath.Contains('/', StringComparison.Ordinal) || nameOrPath.EndsWith(ResourceSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>A built-in profile by name, or a profile file by path.</summary>
    /// <exception cref="InvalidDataException">No such profile, or not a JSON object (the message says which and lists the built-in ones).</exception>
    public static HardwareProfile Load(string nameOrPath, IFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        ArgumentNullException.ThrowIfNull(fileSystem);
        nameOrPath = nameOrPath.Trim();
        if (IsPath(nameOrPath))
        {
            var path = Path.GetFullPath(nameOrPath);
            if (!fileSystem.FileExists(path))
            {
                throw new InvalidDataException($"hw-profile file {path} does not exist (built-in profiles: {string.Join(", ", BuiltInNames)})");
            }

            using var file = fileSystem.Open(path, FileOpenMode.ReadOnly);
            var bytes = new byte[file.Length];
            file.Read(0, bytes);
            return Parse(Path.GetFileNameWithoutExtension(path), path, bytes);
        }

        using var stream = typeof(HardwareProfile).Assembly.GetManifestResourceStream(ResourcePrefix + nameOrPath + ResourceSuffix)
            ?? throw new InvalidDataException($"no hw-profile named '{nameOrPath}' (built-in profiles: {string.Join(", ", BuiltInNames)}; or give a path to a JSON file)");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(nameOrPath, "built in", buffer.ToArray());
    }

    private static HardwareProfile Parse(string name, string source, byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"hw-profile {name} ({source}) is not a JSON object");
            }

            var board = document.RootElement.TryGetProperty("Board", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            return new HardwareProfile(name, source, json, board);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"hw-profile {name} ({source}) is not valid JSON: {ex.Message}", ex);
        }
    }
}
