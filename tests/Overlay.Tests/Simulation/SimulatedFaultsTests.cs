using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Simulation;

namespace EPostEdge.Overlay.Tests.Simulation;

/// <summary>Issue 5 items 2 and 4 at the network and clock level: bandwidth, clogs, hung and slow nodes, clock drift and jumps.</summary>
public sealed class SimulatedFaultsTests
{
    private static (SimulationScheduler Scheduler, SimulatedNetwork Network, List<(int To, TimeSpan At, byte[] Bytes)> Received) Build(int nodes, SimulatedNetworkOptions? options = null)
    {
        var scheduler = new SimulationScheduler();
        var network = new SimulatedNetwork(scheduler, new SeededRandomSource(7), options);
        var received = new List<(int, TimeSpan, byte[])>();
        for (var i = 0; i < nodes; i++)
        {
            var link = network.AddNode();
            var index = i;
            link.Start((_, bytes) => received.Add((index, scheduler.Now, bytes.ToArray())));
        }

        return (scheduler, network, received);
    }

    private static void Send(SimulatedNetwork network, int from, int to, int length, byte tag = 0)
    {
        var frame = new byte[length];
        frame[0] = tag;
        network.Links[from].Send(network.Links[to].LocalEndPoint, frame);
    }

    [Fact]
    public void An_uplink_serializes_a_burst_so_frames_queue_behind_each_other()
    {
        // 10 000 B/s: a 1 000-byte frame takes 100 ms to leave.
        var (scheduler, network, received) = Build(2, new SimulatedNetworkOptions { UplinkBytesPerSecond = 10_000 });
        for (byte i = 0; i < 5; i++)
        {
            Send(network, 0, 1, 1000, i);
        }

        scheduler.RunFor(TimeSpan.FromSeconds(2));
        var latency = network.Latency(0, 1);
        Assert.Equal(
            Enumerable.Range(1, 5).Select(k => latency + TimeSpan.FromMilliseconds(100 * k)).ToList(),
            received.Select(r => r.At).ToList());
        Assert.Equal([0, 1, 2, 3, 4], received.Select(r => (int)r.Bytes[0]).ToList());

        // Once the queue has drained, a lone frame waits only for its own serialization.
        received.Clear();
        var now = scheduler.Now;
        Send(network, 0, 1, 500);
        scheduler.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(now + TimeSpan.FromMilliseconds(50) + latency, Assert.Single(received).At);
    }

    [Fact]
    public void A_downlink_serializes_frames_from_several_senders()
    {
        var (scheduler, network, received) = Build(3, new SimulatedNetworkOptions { DownlinkBytesPerSecond = 1_000, MinimumLatency = TimeSpan.FromMilliseconds(10), MaximumLatency = TimeSpan.FromMilliseconds(10) });
        Send(network, 0, 2, 100);
        Send(network, 1, 2, 100);
        scheduler.RunFor(TimeSpan.FromSeconds(1));
        // Both arrive at 10 ms; the downlink takes 100 ms for each.
        Assert.Equal([TimeSpan.FromMilliseconds(110), TimeSpan.FromMilliseconds(210)], received.Select(r => r.At).ToList());
    }

    [Fact]
    public void A_slow_node_multiplies_the_latency_of_every_frame_to_and_from_it()
    {
        var (scheduler, network, received) = Build(3);
        network.Links[1].LatencyFactor = 100;
        Send(network, 0, 1, 10, 1);
        Send(network, 1, 2, 10, 2);
        Send(network, 0, 2, 10, 3);
        scheduler.RunFor(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromTicks(network.Latency(0, 1).Ticks * 100), received.Single(r => r.Bytes[0] == 1).At);
        Assert.Equal(TimeSpan.FromTicks(network.Latency(1, 2).Ticks * 100), received.Single(r => r.Bytes[0] == 2).At);
        Assert.Equal(network.Latency(0, 2), received.Single(r => r.Bytes[0] == 3).At);
    }

    [Fact]
    public void A_clogged_node_holds_traffic_both_ways_and_releases_it_in_order_when_unclogged()
    {
        var (scheduler, network, received) = Build(3);
        network.Clog(1);
        Send(network, 0, 1, 10, 1);
        Send(network, 1, 2, 10, 2);
        Send(network, 0, 1, 10, 3);
        Send(network, 0, 2, 10, 4);
        scheduler.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal([4], received.Select(r => (int)r.Bytes[0]).ToList());
        Assert.Equal(2, network.Links[1].HeldReceived);
        Assert.Equal(1, network.Links[1].HeldUnsent);

        network.Unclog(1);
        // The backlog is delivered at once, in arrival order; the held send leaves now with its latency.
        Assert.Equal([4, 1, 3], received.Select(r => (int)r.Bytes[0]).ToList());
        Assert.All(received.Skip(1), r => Assert.Equal(TimeSpan.FromSeconds(5), r.At));
        scheduler.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(5) + network.Latency(1, 2), received.Single(r => r.Bytes[0] == 2).At);
        Assert.Equal(0, network.Links[1].HeldReceived + network.Links[1].HeldUnsent);
    }

    [Fact]
    public void A_hung_node_keeps_a_bounded_backlog_and_its_timers_wait_then_it_catches_up_in_order()
    {
        var scheduler = new SimulationScheduler();
        var network = new SimulatedNetwork(scheduler, new SeededRandomSource(7), new SimulatedNetworkOptions { ReceiveBufferBytes = 1000 });
        var sender = network.AddNode();
        sender.Start((_, _) => { });
        var link = network.AddNode();
        var clock = new SimulatedClock(scheduler);
        var events = new List<string>();
        link.Start((_, bytes) => events.Add($"frame {bytes.Span[0]} at {scheduler.Now.TotalSeconds}"));
        using var timer = clock.CreateTimer(_ => events.Add($"tick at {scheduler.Now.TotalSeconds}"), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        scheduler.RunUntil(TimeSpan.FromSeconds(1.5));
        clock.Pause();
        link.Hang();
        for (byte i = 0; i < 4; i++)
        {
            var frame = new byte[300];
            frame[0] = i;
            sender.Send(link.LocalEndPoint, frame);
        }

        scheduler.RunUntil(TimeSpan.FromSeconds(10));
        // Nothing ran while hung; the fourth frame did not fit in the 1 000-byte buffer.
        Assert.Equal(["tick at 1"], events);
        Assert.Equal(3, link.HeldReceived);
        Assert.Equal(1, link.Overflowed);

        link.Resume();
        clock.Resume();
        // The backlog first, then the missed tick once, then the period runs on from the resume.
        Assert.Equal(["tick at 1", "frame 0 at 10", "frame 1 at 10", "frame 2 at 10", "tick at 10"], events);
        scheduler.RunUntil(TimeSpan.FromSeconds(12));
        Assert.Equal(["tick at 11", "tick at 12"], events.Skip(5));
    }

    [Fact]
    public void A_hung_nodes_sends_wait_and_a_crash_loses_its_buffers()
    {
        var (scheduler, network, received) = Build(2);
        network.Links[0].Hang();
        Send(network, 0, 1, 10, 1);
        Send(network, 1, 0, 10, 2);
        scheduler.RunFor(TimeSpan.FromSeconds(5));
        Assert.Empty(received);
        network.Links[0].IsAlive = false;
        Assert.Equal(0, network.Links[0].HeldUnsent + network.Links[0].HeldReceived);
        Assert.Equal(2, network.Links[0].Dropped);
        network.Links[0].IsAlive = true;
        network.Links[0].Resume();
        scheduler.RunFor(TimeSpan.FromSeconds(5));
        Assert.Empty(received);
    }

    [Fact]
    public void Drift_scales_the_monotonic_clock_and_timers_exactly_and_can_change_without_going_back()
    {
        var scheduler = new SimulationScheduler();
        var fast = new SimulatedClock(scheduler) { Drift = 0.25 };
        var slow = new SimulatedClock(scheduler) { Drift = -0.2 };
        var fired = new List<(string Clock, TimeSpan At)>();
        using var a = fast.CreateTimer(_ => fired.Add(("fast", scheduler.Now)), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        using var b = slow.CreateTimer(_ => fired.Add(("slow", scheduler.Now)), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        var fastStart = fast.GetTimestamp();

        scheduler.RunUntil(TimeSpan.FromSeconds(20));
        // 10 local seconds: 8 true seconds on a crystal 25 % fast, 12.5 on one 20 % slow.
        Assert.Equal([("fast", TimeSpan.FromSeconds(8)), ("slow", TimeSpan.FromSeconds(12.5))], fired);
        Assert.Equal(TimeSpan.FromSeconds(25), fast.GetElapsedTime(fastStart));
        Assert.Equal(SimulatedClock.Epoch + TimeSpan.FromSeconds(16), slow.GetUtcNow());

        // A new rate applies from now on: local time continues from where it was.
        var before = fast.GetTimestamp();
        fast.Drift = 0;
        Assert.Equal(before, fast.GetTimestamp());
        scheduler.RunUntil(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(35), fast.GetElapsedTime(fastStart));

        // Odd rates: a timer fires at the first true tick at which the local clock reached its due time.
        var odd = new SimulatedClock(scheduler) { Drift = 1e-4 / 3 };
        var due = TimeSpan.Zero;
        var oddStart = odd.GetTimestamp();
        using var c = odd.CreateTimer(_ => due = odd.GetElapsedTime(oddStart), null, TimeSpan.FromTicks(123_456_789), Timeout.InfiniteTimeSpan);
        scheduler.RunFor(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromTicks(123_456_789), due);
    }

    [Fact]
    public void A_wall_clock_jump_of_two_years_moves_utc_now_only()
    {
        var scheduler = new SimulationScheduler();
        var clock = new SimulatedClock(scheduler);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        scheduler.RunUntil(TimeSpan.FromSeconds(5.5));
        var stamp = clock.GetTimestamp();
        clock.Offset += TimeSpan.FromDays(-2 * 365);
        Assert.Equal(SimulatedClock.Epoch + TimeSpan.FromSeconds(5.5) - TimeSpan.FromDays(730), clock.GetUtcNow());
        Assert.Equal(stamp, clock.GetTimestamp());
        scheduler.RunUntil(TimeSpan.FromSeconds(10.5));
        Assert.Equal(10, fired);
    }

    [Fact]
    public void Partition_and_unpartition_lift_only_their_own_cut()
    {
        var (_, network, _) = Build(3);
        network.BlockBothWays(0, 2);
        network.Partition([0], [1], PartitionKind.Asymmetric);
        Assert.False(network.CanReach(0, 1));
        Assert.True(network.CanReach(1, 0));
        network.Unpartition([0], [1], PartitionKind.Asymmetric);
        Assert.True(network.CanReach(0, 1));
        Assert.False(network.CanReach(0, 2));
        Assert.False(network.CanReach(2, 0));
    }
}
