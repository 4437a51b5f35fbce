namespace EPostEdge.Storage.FileSystem;

/// <summary>An open file of the <see cref="CrashModelFileSystem"/>; dead after a crash.</summary>
internal sealed class SimulatedFileHandle(CrashModelFileSystem disk, string path, SimulatedFile file, int generation, bool readOnly) : IFileHandle
{
    private bool _disposed;

    public string Path { get; } = path;

    public long Length
    {
        get
        {
            lock (disk.SyncRoot)
            {
                CheckAlive();
                return file.Current.Count;
            }
        }
    }

    public int Read(long offset, Span<byte> buffer)
    {
        lock (disk.SyncRoot)
        {
            CheckAlive();
            var available = (int)Math.Clamp(file.Current.Count - offset, 0, buffer.Length);
            for (var i = 0; i < available; i++)
            {
                buffer[i] = file.Current[(int)offset + i];
            }

            if (available > 0 && disk.ReadBitFlipRate > 0 && disk.Random.NextDouble() < disk.ReadBitFlipRate)
            {
                buffer[disk.Random.NextInt32(available)] ^= (byte)(1 << disk.Random.NextInt32(8));
                disk.CountReadBitFlip();
            }

            return available;
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        lock (disk.SyncRoot)
        {
            CheckWritable();
            disk.CheckSpace(file, offset + data.Length);
            file.Write(offset, data);
        }
    }

    public long Append(ReadOnlySpan<byte> data)
    {
        lock (disk.SyncRoot)
        {
            var offset = file.Current.Count;
            Write(offset, data);
            return offset;
        }
    }

    public void SetLength(long length)
    {
        lock (disk.SyncRoot)
        {
            CheckWritable();
            disk.CheckSpace(file, length);
            file.SetLength(length);
        }
    }

    public void Sync()
    {
        lock (disk.SyncRoot)
        {
            CheckAlive();
            if (disk.FailNextSync)
            {
                disk.FailNextSync = false;
                file.FailSync();
                throw new IOException("fsync failed: input/output error", 5); // EIO
            }

            file.Sync();
        }
    }

    public void Dispose() => _disposed = true;

    private void CheckWritable()
    {
        CheckAlive();
        if (readOnly)
        {
            throw new UnauthorizedAccessException($"{Path} was opened read-only");
        }
    }

    private void CheckAlive()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (generation != disk.Generation)
        {
            throw new IOException($"{Path}: the disk crashed since this file was opened");
        }
    }
}
