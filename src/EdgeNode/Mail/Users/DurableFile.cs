using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Mail.Users;

/// <summary>Whole-file reads and atomic replacement through the disk seam.</summary>
internal static class DurableFile
{
    /// <summary>
    /// Writes under a temporary name, fsyncs, renames over <paramref name="path"/>, fsyncs the
    /// folder: a power cut leaves the old file or the new one, never a torn one (POSIX rename(2)).
    /// </summary>
    public static void WriteAtomically(IFileSystem fileSystem, string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(path) ?? ".";
        fileSystem.CreateDirectory(directory);
        var temporary = path + ".tmp";
        fileSystem.Delete(temporary);
        using (var file = fileSystem.Open(temporary, FileOpenMode.CreateNew))
        {
            file.Write(0, content);
            file.Sync();
        }

        fileSystem.Rename(temporary, path);
        fileSystem.SyncDirectory(directory);
    }

    public static byte[] ReadAll(IFileSystem fileSystem, string path)
    {
        using var file = fileSystem.Open(path, FileOpenMode.ReadOnly);
        var bytes = new byte[file.Length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = file.Read(read, bytes.AsSpan(read));
            if (n <= 0)
            {
                throw new IOException($"{path}: short read");
            }

            read += n;
        }

        return bytes;
    }
}
