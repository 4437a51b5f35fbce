using EPostEdge.EdgeNode.Budgets;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Budgets;

/// <summary>Shedding starts at the shed mark, lifts below the resume mark, and collects while it lasts.</summary>
public sealed class MemoryBudgetTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Shedding_starts_at_85_percent_of_the_resident_budget_and_lifts_only_below_75()
    {
        var memory = new RecordingMemory { Sample = new MemorySample(100 * MiB, 100 * MiB, 10 * MiB, 128 * MiB) };
        var time = new FakeTimeProvider();
        var budget = new MemoryBudget(200 * MiB, 85, 75, memory, time);
        var changes = new List<(bool, string)>();
        budget.Changed += (shedding, reason) => changes.Add((shedding, reason));

        Assert.Null(budget.Refusal());
        memory.Sample = memory.Sample with { RssBytes = 169 * MiB };
        time.Advance(MemoryBudget.SampleInterval);
        Assert.Null(budget.Refusal());

        memory.Sample = memory.Sample with { RssBytes = 171 * MiB };
        time.Advance(MemoryBudget.SampleInterval);
        Assert.Equal("memory near its budget (171 of 200 MiB resident), try again later", budget.Refusal());
        Assert.True(budget.IsShedding);

        // Hysteresis: 80 % is below the shed mark but not below the resume mark.
        memory.Sample = memory.Sample with { RssBytes = 160 * MiB };
        time.Advance(MemoryBudget.SampleInterval);
        Assert.NotNull(budget.Refusal());

        memory.Sample = memory.Sample with { RssBytes = 149 * MiB };
        time.Advance(MemoryBudget.SampleInterval);
        Assert.Null(budget.Refusal());
        Assert.False(budget.IsShedding);
        Assert.Equal([(true, "memory near its budget (171 of 200 MiB resident), try again later"), (false, "149 of 200 MiB resident")], changes);
    }

    [Fact]
    public void The_heap_left_after_a_collection_near_the_GC_limit_sheds_too_even_without_a_resident_budget()
    {
        var memory = new RecordingMemory { Sample = new MemorySample(50 * MiB, 50 * MiB, 100 * MiB, 128 * MiB) };
        var time = new FakeTimeProvider();
        var budget = new MemoryBudget(null, 85, 75, memory, time);
        Assert.Null(budget.Refusal());

        memory.Sample = memory.Sample with { HeapBytes = 110 * MiB };
        time.Advance(MemoryBudget.SampleInterval);
        Assert.Equal("memory near its budget (110 of 128 MiB managed heap), try again later", budget.Refusal());
    }

    [Fact]
    public void A_burst_of_admissions_samples_at_most_once_per_interval()
    {
        var memory = new RecordingMemory { Sample = new MemorySample(10 * MiB, 10 * MiB, 1 * MiB, 128 * MiB) };
        var time = new FakeTimeProvider();
        var budget = new MemoryBudget(200 * MiB, 85, 75, memory, time);
        for (var i = 0; i < 100; i++)
        {
            budget.Refusal();
        }

        Assert.Equal(1, memory.Samples);
        time.Advance(MemoryBudget.SampleInterval);
        budget.Refusal();
        Assert.Equal(2, memory.Samples);
    }

    [Fact]
    public void While_shedding_the_tick_collects_at_most_every_collect_interval_and_lifts_when_the_collection_freed_enough()
    {
        var memory = new RecordingMemory { Sample = new MemorySample(190 * MiB, 190 * MiB, 100 * MiB, 128 * MiB) };
        var time = new FakeTimeProvider();
        var budget = new MemoryBudget(200 * MiB, 85, 75, memory, time);
        budget.Tick(); // enters shedding on this look; collects from the next
        Assert.True(budget.IsShedding);
        Assert.Equal(0, memory.Collections);

        budget.Tick();
        Assert.Equal(1, memory.Collections);
        time.Advance(TimeSpan.FromSeconds(1));
        budget.Tick();
        Assert.Equal(1, memory.Collections); // not again within CollectInterval

        memory.AfterCollect = new MemorySample(120 * MiB, 190 * MiB, 40 * MiB, 128 * MiB);
        time.Advance(MemoryBudget.CollectInterval);
        budget.Tick();
        Assert.Equal(2, memory.Collections);
        Assert.False(budget.IsShedding);
        Assert.Equal(2, budget.Collections);
    }

    [Fact]
    public void The_process_memory_of_this_test_host_reads_as_plausible_figures()
    {
        var sample = new ProcSelfMemory().Sample();
        Assert.InRange(sample.RssBytes, 10 * MiB, 64L * 1024 * MiB);
        Assert.True(sample.PeakRssBytes >= sample.RssBytes);
        Assert.True(sample.HeapLimitBytes > 0);
        var status = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var vmRss = long.Parse(status[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        Assert.InRange(sample.RssBytes, vmRss / 2, vmRss * 2); // statm and status agree (the process moves between the reads)
    }

    private sealed class RecordingMemory : IProcessMemory
    {
        public MemorySample Sample { get; set; }

        public MemorySample? AfterCollect { get; set; }

        public int Samples { get; private set; }

        public int Collections { get; private set; }

        MemorySample IProcessMemory.Sample()
        {
            Samples++;
            return Sample;
        }

        public void Collect()
        {
            Collections++;
            if (AfterCollect is { } after)
            {
                Sample = after;
            }
        }
    }
}
