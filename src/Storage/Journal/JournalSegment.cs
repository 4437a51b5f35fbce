using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Journal;

/// <summary>One open segment file: its id (first sequence it was created for) and where its good bytes end.</summary>
internal sealed class JournalSegment(long id, string path, IFileHandle file, long length) : IDisposable
{
    public long Id { get; } = id;

    public string Path { get; } = path;

    public IFileHandle File { get; } = file;

    /// <summary>Bytes in use: header plus every verified (or just written) record.</summary>
    public long Length { get; set; } = length;

    public void Dispose() => File.Dispose();
}
