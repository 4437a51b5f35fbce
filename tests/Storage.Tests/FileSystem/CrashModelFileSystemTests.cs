using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Tests.FileSystem;

/// <summary>The crash-model disk does what the torn-write tests rely on.</summary>
public sealed class CrashModelFileSystemTests
{
    [Fact]
    public void Synced_data_survives_a_crash_and_unsynced_data_follows_the_rates()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(1));
        disk.CreateDirectory("/d");
        using (var file = disk.Open("/d/f", FileOpenMode.CreateNew))
        {
            file.Write(0, "durable"u8);
            file.Sync();
            file.Write(7, "-pending"u8);
        }

        disk.SyncDirectory("/d");
        disk.Crash(new CrashOutcomeRates(Keep: 0, Drop: 1, Garble: 0));
        using var reopened = disk.Open("/d/f", FileOpenMode.OpenExisting);
        var buffer = new byte[32];
        Assert.Equal("durable"u8.ToArray(), buffer[..reopened.Read(0, buffer)]);
    }

    [Fact]
    public void A_file_whose_directory_was_never_synced_is_gone_after_a_crash_and_old_handles_die()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(2));
        disk.CreateDirectory("/d");
        var file = disk.Open("/d/new", FileOpenMode.CreateNew);
        file.Write(0, "data"u8);
        file.Sync();

        disk.Crash(CrashOutcomeRates.Even);

        Assert.False(disk.FileExists("/d/new"));
        Assert.Throws<IOException>(() => file.Write(0, "x"u8));
    }

    [Fact]
    public void Garbled_writes_keep_a_prefix_and_junk_the_rest()
    {
        var sawJunk = false;
        for (var seed = 0UL; seed < 20; seed++)
        {
            var disk = new CrashModelFileSystem(new SeededRandomSource(seed));
            disk.CreateDirectory("/d");
            using (var file = disk.Open("/d/f", FileOpenMode.CreateNew))
            {
                file.Sync();
                file.Write(0, new byte[64]);
            }

            disk.SyncDirectory("/d");
            disk.Crash(new CrashOutcomeRates(Keep: 0, Drop: 0, Garble: 1));
            using var reopened = disk.Open("/d/f", FileOpenMode.ReadOnly);
            var buffer = new byte[64];
            Assert.Equal(64, reopened.Read(0, buffer));
            sawJunk |= buffer.Any(b => b != 0);
        }

        Assert.True(sawJunk);
    }

    [Fact]
    public void A_full_disk_refuses_the_whole_write_and_a_failed_fsync_loses_the_pending_writes()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(3)) { Capacity = 100 };
        disk.CreateDirectory("/d");
        using var file = disk.Open("/d/f", FileOpenMode.CreateNew);
        disk.SyncDirectory("/d");
        file.Write(0, new byte[90]);
        var full = Assert.Throws<IOException>(() => file.Write(90, new byte[20]));
        Assert.Equal(28, full.HResult); // ENOSPC
        Assert.Equal(90, file.Length);
        file.Sync();

        file.Write(90, "lost"u8);
        disk.FailNextSync = true;
        Assert.Throws<IOException>(() => file.Sync());
        file.Sync(); // "succeeds" — and proves nothing (fsyncgate)
        disk.Crash(new CrashOutcomeRates(Keep: 1, Drop: 0, Garble: 0));
        using var reopened = disk.Open("/d/f", FileOpenMode.ReadOnly);
        Assert.Equal(90, reopened.Length);
    }
}
