using EPostEdge.EdgeNode.Budgets;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Budgets;

/// <summary>Near full against the store's quota or the file system, with hysteresis; the held store's refusal.</summary>
public sealed class DiskBudgetTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void The_store_near_its_quota_is_near_full_until_it_falls_three_points_below()
    {
        (long, long)? store = (94 * MiB, 100 * MiB);
        var volumes = new Volumes { Space = new VolumeSpace(100_000 * MiB, 90_000 * MiB) };
        var time = new FakeTimeProvider();
        var disk = new DiskBudget(95, 0, 64 * MiB, volumes, "/data", () => store, time);
        Assert.Null(disk.Refusal());

        store = (95 * MiB, 100 * MiB);
        time.Advance(DiskBudget.SampleInterval);
        Assert.Equal("disk near full (store 95 % of its 100 MiB quota)", disk.Refusal());

        store = (93 * MiB, 100 * MiB);
        time.Advance(DiskBudget.SampleInterval);
        Assert.NotNull(disk.Refusal());

        store = (91 * MiB, 100 * MiB);
        time.Advance(DiskBudget.SampleInterval);
        Assert.Null(disk.Refusal());
    }

    [Fact]
    public void A_file_system_near_full_counts_the_store_reserve_as_used_and_100_percent_turns_the_check_off()
    {
        (long, long)? unlimited = (1 * MiB, long.MaxValue);
        var volumes = new Volumes { Space = new VolumeSpace(1000 * MiB, 200 * MiB) };
        var time = new FakeTimeProvider();
        var disk = new DiskBudget(95, 0, 64 * MiB, volumes, "/data", () => unlimited, time);
        Assert.Null(disk.Refusal());

        // 113 MiB free: 49 usable above the 64 MiB reserve, 95.1 % of 1 000 MiB as good as used.
        volumes.Space = new VolumeSpace(1000 * MiB, 113 * MiB);
        time.Advance(DiskBudget.SampleInterval);
        Assert.Equal("disk near full (file system 95.1 % used, 113 MiB free)", disk.Refusal());
        Assert.True(disk.IsNearFull);

        var untouched = new Volumes { Space = volumes.Space };
        var off = new DiskBudget(100, 0, 64 * MiB, untouched, "/data", () => unlimited, time);
        Assert.Null(off.Refusal());
        Assert.Equal(0, untouched.Measured); // the check that is off does not even measure
    }

    [Fact]
    public void A_big_file_system_past_the_percent_is_near_full_only_below_the_free_space_bound()
    {
        (long, long)? unlimited = (1 * MiB, long.MaxValue);
        const long GiB = 1024 * MiB;
        var volumes = new Volumes { Space = new VolumeSpace(4000 * GiB, 100 * GiB) }; // 97.5 % used, 100 GiB free
        var time = new FakeTimeProvider();
        var disk = new DiskBudget(95, 2 * GiB, 64 * MiB, volumes, "/data", () => unlimited, time);
        Assert.Null(disk.Refusal());

        volumes.Space = new VolumeSpace(4000 * GiB, 2 * GiB);
        time.Advance(DiskBudget.SampleInterval);
        Assert.Equal("disk near full (file system 100 % used, 2048 MiB free)", disk.Refusal());

        // Lifting needs 3 % of the file system above the bound, not one byte more.
        volumes.Space = new VolumeSpace(4000 * GiB, 10 * GiB);
        time.Advance(DiskBudget.SampleInterval);
        Assert.NotNull(disk.Refusal());
        volumes.Space = new VolumeSpace(4000 * GiB, 200 * GiB);
        time.Advance(DiskBudget.SampleInterval);
        Assert.Null(disk.Refusal());

        // A small card: the percent decides long before the bound.
        var card = new Volumes { Space = new VolumeSpace(1000 * MiB, 113 * MiB) };
        var small = new DiskBudget(95, 2 * GiB, 64 * MiB, card, "/data", () => unlimited, time);
        Assert.Equal("disk near full (file system 95.1 % used, 113 MiB free)", small.Refusal());
    }

    [Fact]
    public void The_store_not_open_yet_counts_as_empty()
    {
        var volumes = new Volumes { Space = new VolumeSpace(1000 * MiB, 900 * MiB) };
        var disk = new DiskBudget(95, 0, 64 * MiB, volumes, "/data", () => null, new FakeTimeProvider());
        Assert.Null(disk.Refusal());
    }

    [Fact]
    public void The_real_volume_of_a_temp_folder_has_a_size_and_free_space()
    {
        using var temp = new TempDirectory();
        var space = DriveVolumes.Instance.Measure(Path.Combine(temp.Path, "not-yet", "made"));
        Assert.True(space.TotalBytes > 0);
        Assert.InRange(space.AvailableBytes, 1, space.TotalBytes);
    }

    private sealed class Volumes : IVolumes
    {
        public VolumeSpace Space { get; set; }

        public int Measured { get; private set; }

        public VolumeSpace Measure(string directory)
        {
            Measured++;
            return Space;
        }
    }
}
