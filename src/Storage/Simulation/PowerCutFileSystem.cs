using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Simulation;

/// <summary>
/// One process life's view of a simulated node's disk. When the power is cut, every write, sync
/// and directory change made through it afterwards goes nowhere, while reads still work: the dead
/// process's store can then be closed normally (its journal writer and LiteDB's writer thread
/// stop, nothing leaks) without one byte of that shutdown reaching the disk the crash left.
/// </summary>
internal sealed class PowerCutFileSystem(IFileSystem disk) : IFileSystem
{
    /// <summary>True once the power is cut: from then on this life changes nothing on disk.</summary>
    public bool IsCut { get; private set; }

    public void Cut() => IsCut = true;

    public IFileHandle Open(string path, FileOpenMode mode) =>
        IsCut ? throw new IOException($"{path}: the power is off") : new Handle(this, disk.Open(path, mode));

    public bool FileExists(string path) => disk.FileExists(path);

    public bool DirectoryExists(string path) => disk.DirectoryExists(path);

    public void CreateDirectory(string path)
    {
        if (!IsCut)
        {
            disk.CreateDirectory(path);
        }
    }

    public IReadOnlyList<string> List(string directory) => disk.List(directory);

    public void Rename(string sourcePath, string destinationPath)
    {
        if (!IsCut)
        {
            disk.Rename(sourcePath, destinationPath);
        }
    }

    public void Delete(string path)
    {
        if (!IsCut)
        {
            disk.Delete(path);
        }
    }

    public void SyncDirectory(string directory)
    {
        if (!IsCut)
        {
            disk.SyncDirectory(directory);
        }
    }

    public long GetAvailableBytes(string directory) => disk.GetAvailableBytes(directory);

    private sealed class Handle(PowerCutFileSystem life, IFileHandle file) : IFileHandle
    {
        public string Path => file.Path;

        public long Length => file.Length;

        public int Read(long offset, Span<byte> buffer) => file.Read(offset, buffer);

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            if (!life.IsCut)
            {
                file.Write(offset, data);
            }
        }

        public long Append(ReadOnlySpan<byte> data) => life.IsCut ? file.Length : file.Append(data);

        public void SetLength(long length)
        {
            if (!life.IsCut)
            {
                file.SetLength(length);
            }
        }

        public void Sync()
        {
            if (!life.IsCut)
            {
                file.Sync();
            }
        }

        public void Dispose() => file.Dispose();
    }
}
