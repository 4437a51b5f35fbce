using EPostEdge.Overlay.Seams;

namespace EPostEdge.Storage.FileSystem;

/// <summary>
/// An in-memory disk for the simulator and the torn-write tests (ARCHITECTURE.md "The seams").
/// It remembers, per file, what is durable and which writes since the last fsync are pending;
/// <see cref="Crash"/> then keeps, drops or garbles each pending write (SQLite's crash model)
/// and forgets directory changes that were never fsynced. It can also fill up, fail an fsync
/// (after which, as on Linux, the pending writes are silently lost: fsyncgate) and flip bits.
/// Deterministic: every choice comes from the <see cref="IRandomSource"/> given.
/// </summary>
public sealed class CrashModelFileSystem(IRandomSource random) : IFileSystem
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SimulatedFile> _entries = new(StringComparer.Ordinal);
    private Dictionary<string, SimulatedFile> _durableEntries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private long _readBitFlips;

    /// <summary>Bytes the disk holds at most (all files' current lengths); null for unlimited.</summary>
    public long? Capacity { get; set; }

    /// <summary>Chance that a read returns one flipped bit (a latent error the device did not catch).</summary>
    public double ReadBitFlipRate { get; set; }

    /// <summary>When set, the next file fsync throws and its pending writes are lost.</summary>
    public bool FailNextSync { get; set; }

    /// <summary>Reads that came back with a flipped bit so far (checkers excuse a detected corruption only after one).</summary>
    public long ReadBitFlips => Interlocked.Read(ref _readBitFlips);

    /// <summary>Crashes so far; handles from before a crash are dead.</summary>
    public int Generation { get; private set; }

    /// <summary>Bytes in use (current lengths of all files).</summary>
    public long UsedBytes
    {
        get
        {
            lock (_lock)
            {
                return _entries.Values.Distinct().Sum(f => (long)f.Current.Count);
            }
        }
    }

    /// <inheritdoc />
    public IFileHandle Open(string path, FileOpenMode mode)
    {
        path = Normalize(path);
        lock (_lock)
        {
            var exists = _entries.TryGetValue(path, out var file);
            switch (mode)
            {
                case FileOpenMode.ReadOnly or FileOpenMode.OpenExisting when !exists:
                    throw new FileNotFoundException($"no such file: {path}", path);
                case FileOpenMode.CreateNew when exists:
                    throw new IOException($"file exists: {path}");
                default:
                    break;
            }

            if (!_directories.Contains(Parent(path)))
            {
                throw new DirectoryNotFoundException($"no such directory: {Parent(path)}");
            }

            if (file is null)
            {
                file = new SimulatedFile();
                _entries[path] = file; // durable only once the directory is synced
            }

            return new SimulatedFileHandle(this, path, file, Generation, readOnly: mode == FileOpenMode.ReadOnly);
        }
    }

    /// <inheritdoc />
    public bool FileExists(string path)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(Normalize(path));
        }
    }

    /// <inheritdoc />
    public bool DirectoryExists(string path)
    {
        lock (_lock)
        {
            return _directories.Contains(Normalize(path));
        }
    }

    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        lock (_lock)
        {
            // Directories themselves are kept simple: created at once and durable.
            for (var p = Normalize(path); p.Length > 0 && _directories.Add(p); p = Parent(p))
            {
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> List(string directory)
    {
        directory = Normalize(directory);
        lock (_lock)
        {
            var names = _entries.Keys.Where(k => Parent(k) == directory).Select(k => k[(directory.Length + 1)..]).ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    /// <inheritdoc />
    public void Rename(string sourcePath, string destinationPath)
    {
        sourcePath = Normalize(sourcePath);
        destinationPath = Normalize(destinationPath);
        lock (_lock)
        {
            if (!_entries.Remove(sourcePath, out var file))
            {
                throw new FileNotFoundException($"no such file: {sourcePath}", sourcePath);
            }

            _entries[destinationPath] = file;
        }
    }

    /// <inheritdoc />
    public void Delete(string path)
    {
        lock (_lock)
        {
            _entries.Remove(Normalize(path));
        }
    }

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        directory = Normalize(directory);
        lock (_lock)
        {
            // The directory's entries become durable as they are now: creates, renames, deletes.
            var next = _durableEntries.Where(e => Parent(e.Key) != directory).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            foreach (var (path, file) in _entries.Where(e => Parent(e.Key) == directory))
            {
                next[path] = file;
            }

            _durableEntries = next;
        }
    }

    /// <inheritdoc />
    public long GetAvailableBytes(string directory) => Capacity is { } capacity ? Math.Max(0, capacity - UsedBytes) : long.MaxValue / 4;

    /// <summary>
    /// Power cut: each pending write of each file is independently kept, dropped or garbled;
    /// directory changes never fsynced are undone; every open handle dies.
    /// </summary>
    public void Crash(CrashOutcomeRates rates)
    {
        lock (_lock)
        {
            foreach (var file in _entries.Values.Concat(_durableEntries.Values).Distinct())
            {
                file.Crash(random, rates);
            }

            _entries.Clear();
            foreach (var (path, file) in _durableEntries)
            {
                _entries[path] = file;
            }

            Generation++;
        }
    }

    /// <summary>Flips one bit of a file's stored (durable and current) bytes: a latent sector error.</summary>
    public void FlipStoredBit(string path, long offset, int bit)
    {
        lock (_lock)
        {
            _entries[Normalize(path)].FlipBit(offset, bit);
        }
    }

    internal Lock SyncRoot => _lock;

    internal IRandomSource Random => random;

    internal void CountReadBitFlip() => Interlocked.Increment(ref _readBitFlips);

    internal void CheckSpace(SimulatedFile file, long newLength)
    {
        if (Capacity is { } capacity && newLength > file.Current.Count && UsedBytes + (newLength - file.Current.Count) > capacity)
        {
            throw new IOException("No space left on device", 28); // ENOSPC; nothing was written
        }
    }

    private static string Normalize(string path) => path.Replace('\\', '/').TrimEnd('/');

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? string.Empty : path[..slash];
    }
}
