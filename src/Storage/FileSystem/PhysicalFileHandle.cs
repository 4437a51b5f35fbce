using Microsoft.Win32.SafeHandles;

namespace EPostEdge.Storage.FileSystem;

/// <summary>A real open file. Positional reads may run concurrently; writes are the caller's to order.</summary>
internal sealed class PhysicalFileHandle(string path, SafeFileHandle handle) : IFileHandle
{
    private readonly Lock _appendLock = new();

    public string Path { get; } = path;

    public long Length => RandomAccess.GetLength(handle);

    public int Read(long offset, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read == 0)
            {
                break; // end of file
            }

            total += read;
        }

        return total;
    }

    public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, offset);

    public long Append(ReadOnlySpan<byte> data)
    {
        lock (_appendLock)
        {
            var offset = RandomAccess.GetLength(handle);
            RandomAccess.Write(handle, data, offset);
            return offset;
        }
    }

    public void SetLength(long length) => RandomAccess.SetLength(handle, length);

    // RandomAccess.FlushToDisk is fsync(2) on Unix (FlushFileBuffers on Windows).
    public void Sync() => RandomAccess.FlushToDisk(handle);

    public void Dispose() => handle.Dispose();
}
