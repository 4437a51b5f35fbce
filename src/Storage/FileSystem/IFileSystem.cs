namespace EPostEdge.Storage.FileSystem;

/// <summary>
/// The disk seam (ARCHITECTURE.md "The seams"): the few file operations the store needs, so the
/// same journal and block store run on real files (<see cref="PhysicalFileSystem"/>, which
/// really calls fsync) and on the simulator's crash-model disk (<see cref="CrashModelFileSystem"/>).
/// Nothing else in the node opens a file.
/// </summary>
/// <remarks>
/// Durability follows POSIX: written bytes are durable only after <see cref="IFileHandle.Sync"/>
/// on the file, and a create, rename or delete only after <see cref="SyncDirectory"/> on its
/// directory.
/// </remarks>
public interface IFileSystem
{
    /// <summary>Opens (or creates, per <paramref name="mode"/>) a file for random-access I/O.</summary>
    /// <exception cref="FileNotFoundException">The file is missing and the mode does not create it.</exception>
    /// <exception cref="IOException">The file exists and the mode is <see cref="FileOpenMode.CreateNew"/>.</exception>
    IFileHandle Open(string path, FileOpenMode mode);

    /// <summary>Whether a file exists at <paramref name="path"/>.</summary>
    bool FileExists(string path);

    /// <summary>Whether a directory exists at <paramref name="path"/>.</summary>
    bool DirectoryExists(string path);

    /// <summary>Creates the directory and any missing parents.</summary>
    void CreateDirectory(string path);

    /// <summary>Names (not paths) of the files directly inside <paramref name="directory"/>, in ordinal order.</summary>
    IReadOnlyList<string> List(string directory);

    /// <summary>Atomically renames, replacing any existing destination (POSIX rename(2)).</summary>
    void Rename(string sourcePath, string destinationPath);

    /// <summary>Deletes a file; deleting a missing file is not an error.</summary>
    void Delete(string path);

    /// <summary>fsyncs the directory so that creates, renames and deletes in it are durable.</summary>
    void SyncDirectory(string directory);

    /// <summary>Bytes available to this process on the volume that holds <paramref name="directory"/>.</summary>
    long GetAvailableBytes(string directory);
}
