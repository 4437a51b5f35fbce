using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Tests.FileSystem;

/// <summary>The real disk seam on real files.</summary>
public sealed class PhysicalFileSystemTests
{
    private readonly PhysicalFileSystem _fs = new();

    [Fact]
    public void Positional_writes_appends_truncation_and_sync_work_on_a_real_file()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "f");
        using (var file = _fs.Open(path, FileOpenMode.CreateNew))
        {
            file.Write(0, "hello"u8);
            Assert.Equal(5, file.Append(" world"u8));
            file.Write(6, "W"u8);
            file.Sync();
            Assert.Equal(11, file.Length);
            var buffer = new byte[20];
            Assert.Equal(11, file.Read(0, buffer));
            Assert.Equal("hello World"u8.ToArray(), buffer[..11]);
            file.SetLength(5);
            file.Sync();
        }

        Assert.Equal("hello"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Throws<IOException>(() => _fs.Open(path, FileOpenMode.CreateNew));
        Assert.Throws<FileNotFoundException>(() => _fs.Open(path + "x", FileOpenMode.OpenExisting));
    }

    [Fact]
    public void Rename_replaces_the_destination_and_directories_can_be_fsynced()
    {
        using var temp = new TempDirectory();
        var a = Path.Combine(temp.Path, "a");
        var b = Path.Combine(temp.Path, "b");
        File.WriteAllText(a, "new");
        File.WriteAllText(b, "old");

        _fs.Rename(a, b);
        _fs.SyncDirectory(temp.Path);

        Assert.Equal(["b"], _fs.List(temp.Path));
        Assert.Equal("new", File.ReadAllText(b));
        _fs.Delete(b);
        _fs.Delete(b); // deleting a missing file is fine
        Assert.Empty(_fs.List(temp.Path));
        Assert.Throws<IOException>(() => _fs.SyncDirectory(Path.Combine(temp.Path, "missing")));
    }

    [Fact]
    public void Free_space_is_reported_for_a_folder_that_does_not_exist_yet()
    {
        using var temp = new TempDirectory();
        Assert.True(_fs.GetAvailableBytes(Path.Combine(temp.Path, "not", "yet")) > 0);
        _fs.CreateDirectory(Path.Combine(temp.Path, "not", "yet"));
        Assert.True(_fs.DirectoryExists(Path.Combine(temp.Path, "not", "yet")));
    }
}
