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

    [Fact]
    public void Involving_keeps_only_the_named_nodes_events_in_the_window_and_tagging_a_note_leaves_the_hash()
    {
        using var trace = new SimulationTrace();
        using var untagged = new SimulationTrace();
        foreach (var t in new[] { trace, untagged })
        {
            // Far more traffic among other nodes than the global ring keeps: the per-node frames survive it.
            for (var i = 0; i < 1000; i++)
            {
                t.Frame(TimeSpan.FromMilliseconds(1000 + i), 10 + (i % 5), 20 + (i % 3), [(byte)i]);
                if (i % 100 == 0)
                {
                    t.Frame(TimeSpan.FromMilliseconds(1000 + i), 1, i % 200 == 0 ? 2 : 30, [(byte)i]);
                }
            }

            t.Frame(TimeSpan.FromMilliseconds(10), 1, 2, [0]);
            t.Lookup(TimeSpan.FromSeconds(3), 2, lookup: 5, hops: 1, consistent: false);
        }

        trace.Note(TimeSpan.FromSeconds(2), "kill 2", 2);
        trace.Note(TimeSpan.FromSeconds(2), "kill 30", 30);
        trace.Note(TimeSpan.FromSeconds(2), "heal");
        untagged.Note(TimeSpan.FromSeconds(2), "kill 2");
        untagged.Note(TimeSpan.FromSeconds(2), "kill 30");
        untagged.Note(TimeSpan.FromSeconds(2), "heal");
        Assert.Equal(untagged.Hash(), trace.Hash());

        var lines = trace.Involving([1, 2], TimeSpan.FromSeconds(1), limit: 100);
        Assert.Equal(7, lines.Count); // 5 frames 1 -> 2 in the window, kill 2, heal
        Assert.All(lines.Take(5), l => Assert.Contains("frame  1 -> 2 len 1", l, StringComparison.Ordinal));
        Assert.Contains("kill 2", lines[5], StringComparison.Ordinal);
        Assert.Contains("heal", lines[6], StringComparison.Ordinal);
        // The limit is on frames: the notes stay.
        Assert.Equal([lines[3], lines[4], lines[5], lines[6]], trace.Involving([1, 2], TimeSpan.FromSeconds(1), limit: 2));
    }
}
