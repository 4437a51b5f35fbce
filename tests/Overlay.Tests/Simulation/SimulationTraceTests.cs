using EPostEdge.Overlay.Simulation;

namespace EPostEdge.Overlay.Tests.Simulation;

public sealed class SimulationTraceTests
{
    private static SimulationTrace Fill(int frames, byte flip)
    {
        var trace = new SimulationTrace();
        for (var i = 0; i < frames; i++)
        {
            trace.Frame(TimeSpan.FromMilliseconds(i), i % 7, i % 5, [(byte)i, i == frames / 2 ? flip : (byte)0]);
        }

        trace.Note(TimeSpan.FromSeconds(1), "kill 3");
        trace.Lookup(TimeSpan.FromSeconds(2), 4, lookup: 17, hops: 2, consistent: false);
        return trace;
    }

    [Fact]
    public void The_hash_covers_every_byte_and_the_last_entries_are_kept_oldest_first()
    {
        using var first = Fill(500, 0);
        using var same = Fill(500, 0);
        using var flipped = Fill(500, 1);

        Assert.Equal(first.Hash(), same.Hash());
        Assert.NotEqual(first.Hash(), flipped.Hash());
        Assert.Equal(502, first.Count);

        var recent = first.Recent();
        Assert.Equal(SimulationTrace.Capacity, recent.Count);
        Assert.Contains($"302.000 ms frame  {302 % 7} -> {302 % 5} len 2", recent[0], StringComparison.Ordinal);
        Assert.Contains("note   kill 3", recent[^2], StringComparison.Ordinal);
        Assert.Contains("lookup #17 delivered at 4 hops 2 INCONSISTENT", recent[^1], StringComparison.Ordinal);
    }
}
