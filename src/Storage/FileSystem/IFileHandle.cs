namespace EPostEdge.Storage.FileSystem;

/// <summary>An open file: positional reads and writes, appends, truncation and fsync.</summary>
public interface IFileHandle : IDisposable
{
    /// <summary>The path it was opened with.</summary>
    string Path { get; }

    /// <summary>Current length in bytes (including writes not yet synced).</summary>
    long Length { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns how many were read (fewer at end of file).</summary>
    int Read(long offset, Span<byte> buffer);

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>, extending the file if needed.</summary>
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Writes <paramref name="data"/> at the end of the file and returns the offset it was written at.</summary>
    long Append(ReadOnlySpan<byte> data);

    /// <summary>Truncates or extends the file to <paramref name="length"/> bytes.</summary>
    void SetLength(long length);

    /// <summary>fsync(2): returns only when every write so far is on stable storage.</summary>
    /// <exception cref="IOException">The device reported an error; later syncs must not be trusted (fsyncgate).</exception>
    void Sync();
}
