namespace EPostEdge.Storage.FileSystem;

/// <summary>How <see cref="IFileSystem.Open"/> treats a missing or existing file.</summary>
public enum FileOpenMode
{
    /// <summary>Open an existing file for reading only.</summary>
    ReadOnly,

    /// <summary>Open an existing file for reading and writing.</summary>
    OpenExisting,

    /// <summary>Open for reading and writing, creating it empty if missing.</summary>
    OpenOrCreate,

    /// <summary>Create a new empty file; fail if one exists.</summary>
    CreateNew,
}
