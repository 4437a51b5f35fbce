using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Tests.Journal;

/// <summary>
/// A read that flips a bit once and not again (found by the simulator, churn with disks, seed 3):
/// the open scan must not skip that record, nor cut it off with everything after it as a torn tail.
/// </summary>
public sealed class TransientReadErrorTests
{
    [Theory]
    [InlineData(0.25)] // a sealed segment: the record would be skipped
    [InlineData(0.9)] // the last segment: it and the records after it would be cut off
    public async Task A_record_that_fails_one_read_is_read_again_before_it_is_called_damaged(double where)
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(1));
        var options = new JournalOptions { SegmentSizeBytes = 8 * 1024 };
        var random = new SeededRandomSource(2);
        await using (var journal = JournalLog.Open(disk, "/j", options))
        {
            for (var i = 0; i < 40; i++)
            {
                await journal.AppendAsync(1, random.NextBytes(500));
            }
        }

        // One bit flips in the first read that covers a byte of the journal's records.
        var segments = disk.List("/j");
        var total = segments.Sum(name => disk.Open("/j/" + name, FileOpenMode.ReadOnly).Length);
        var (segment, offset) = Locate(disk, segments, (long)(total * where));
        var flaky = new FlipOnceFileSystem(disk, "/j/" + segment, offset);

        await using var reopened = JournalLog.Open(flaky, "/j", options);
        Assert.True(flaky.Flipped);
        Assert.Equal(40, reopened.OpenReport.Records);
        Assert.Equal(0, reopened.OpenReport.TruncatedBytes);
        Assert.Equal(0, reopened.OpenReport.CorruptRecords);
    }

    private static (string Segment, long Offset) Locate(CrashModelFileSystem disk, IReadOnlyList<string> segments, long at)
    {
        foreach (var name in segments)
        {
            var length = disk.Open("/j/" + name, FileOpenMode.ReadOnly).Length;
            if (at < length)
            {
                return (name, Math.Max(at, 64));
            }

            at -= length;
        }

        throw new InvalidOperationException("past the journal's end");
    }

    /// <summary>Flips one bit of the first read that covers <paramref name="offset"/> of <paramref name="path"/>; later reads are clean.</summary>
    private sealed class FlipOnceFileSystem(IFileSystem inner, string path, long offset) : IFileSystem
    {
        public bool Flipped { get; private set; }

        public IFileHandle Open(string file, FileOpenMode mode) => new Handle(this, inner.Open(file, mode), file == path);

        public bool FileExists(string file) => inner.FileExists(file);

        public bool DirectoryExists(string directory) => inner.DirectoryExists(directory);

        public void CreateDirectory(string directory) => inner.CreateDirectory(directory);

        public IReadOnlyList<string> List(string directory) => inner.List(directory);

        public void Rename(string sourcePath, string destinationPath) => inner.Rename(sourcePath, destinationPath);

        public void Delete(string file) => inner.Delete(file);

        public void SyncDirectory(string directory) => inner.SyncDirectory(directory);

        public long GetAvailableBytes(string directory) => inner.GetAvailableBytes(directory);

        private sealed class Handle(FlipOnceFileSystem owner, IFileHandle file, bool target) : IFileHandle
        {
            public string Path => file.Path;

            public long Length => file.Length;

            public int Read(long at, Span<byte> buffer)
            {
                var read = file.Read(at, buffer);
                if (target && !owner.Flipped && at <= owner.Offset && owner.Offset < at + read)
                {
                    buffer[(int)(owner.Offset - at)] ^= 0x10;
                    owner.Flipped = true;
                }

                return read;
            }

            public void Write(long at, ReadOnlySpan<byte> data) => file.Write(at, data);

            public long Append(ReadOnlySpan<byte> data) => file.Append(data);

            public void SetLength(long length) => file.SetLength(length);

            public void Sync() => file.Sync();

            public void Dispose() => file.Dispose();
        }

        private long Offset => offset;
    }
}
