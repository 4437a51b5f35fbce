using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EPostEdge.Storage.FileSystem;

/// <summary>
/// The real disk: positional I/O on <see cref="SafeFileHandle"/> and real fsync(2) of files and
/// of directories. A rename or a new segment is only durable once its directory is fsynced
/// (POSIX; ext4 and f2fs on SD cards do not promise otherwise).
/// </summary>
public sealed partial class PhysicalFileSystem : IFileSystem
{
    /// <inheritdoc />
    public IFileHandle Open(string path, FileOpenMode mode)
    {
        var (fileMode, access) = mode switch
        {
            FileOpenMode.ReadOnly => (FileMode.Open, FileAccess.Read),
            FileOpenMode.OpenExisting => (FileMode.Open, FileAccess.ReadWrite),
            FileOpenMode.OpenOrCreate => (FileMode.OpenOrCreate, FileAccess.ReadWrite),
            FileOpenMode.CreateNew => (FileMode.CreateNew, FileAccess.ReadWrite),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        var handle = File.OpenHandle(path, fileMode, access, FileShare.ReadWrite | FileShare.Delete);
        return new PhysicalFileHandle(path, handle);
    }

    /// <inheritdoc />
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc />
    public bool DirectoryExists(string path) => Directory.Exists(path);

    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(path);

        // Make the new directory entry itself durable.
        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(parent))
        {
            SyncDirectory(parent);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var names = Directory.GetFiles(directory).Select(p => Path.GetFileName(p)).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc />
    public void Rename(string sourcePath, string destinationPath) => File.Move(sourcePath, destinationPath, overwrite: true);

    /// <inheritdoc />
    public void Delete(string path) => File.Delete(path);

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return; // Windows has no directory fsync; the node ships for Linux.
        }

        var fd = NativeMethods.Open(directory, NativeMethods.ReadOnly | NativeMethods.Directory);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    /// <inheritdoc />
    public long GetAvailableBytes(string directory)
    {
        var full = Path.GetFullPath(directory);
        while (!Directory.Exists(full) && Path.GetDirectoryName(full) is { } parent)
        {
            full = parent;
        }

        return new DriveInfo(full).AvailableFreeSpace;
    }

    private static partial class NativeMethods
    {
        // Linux open(2) flags: O_RDONLY = 0; O_DIRECTORY is 0200000 on x86-64 but 040000 on
        // arm and arm64 (arch/arm*/include/uapi/asm/fcntl.h), so it is chosen at run time.
        public const int ReadOnly = 0;

        public static readonly int Directory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
