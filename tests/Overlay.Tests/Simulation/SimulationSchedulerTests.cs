using EPostEdge.Overlay.Simulation;

namespace EPostEdge.Overlay.Tests.Simulation;

public sealed class SimulationSchedulerTests
{
    [Fact]
    public void Events_run_in_due_time_order_and_equal_times_in_insertion_order()
    {
        var scheduler = new SimulationScheduler();
        var log = new List<string>();
        scheduler.Schedule(TimeSpan.FromSeconds(2), () => log.Add($"b@{scheduler.Now.TotalSeconds}"));
        scheduler.Schedule(TimeSpan.FromSeconds(1), () => log.Add($"a@{scheduler.Now.TotalSeconds}"));
        scheduler.Schedule(TimeSpan.FromSeconds(2), () => log.Add($"c@{scheduler.Now.TotalSeconds}"));
        scheduler.Schedule(TimeSpan.FromSeconds(1), () => scheduler.Schedule(TimeSpan.Zero, () => log.Add($"d@{scheduler.Now.TotalSeconds}")));

        scheduler.RunUntil(TimeSpan.FromSeconds(1.5));
        Assert.Equal(["a@1", "d@1"], log);
        Assert.Equal(TimeSpan.FromSeconds(1.5), scheduler.Now);

        scheduler.RunUntil(TimeSpan.FromSeconds(10));
        Assert.Equal(["a@1", "d@1", "b@2", "c@2"], log);
        Assert.Equal(5, scheduler.EventsProcessed);
        Assert.Equal(TimeSpan.FromSeconds(10), scheduler.Now);
    }

    [Fact]
    public void Stop_inside_an_event_leaves_the_clock_at_that_event_and_runs_nothing_more()
    {
        var scheduler = new SimulationScheduler();
        var log = new List<int>();
        scheduler.Schedule(TimeSpan.FromSeconds(1), () => log.Add(1));
        scheduler.Schedule(TimeSpan.FromSeconds(2), () =>
        {
            log.Add(2);
            scheduler.Stop();
        });
        scheduler.Schedule(TimeSpan.FromSeconds(2), () => log.Add(3));
        scheduler.Schedule(TimeSpan.FromSeconds(3), () => log.Add(4));

        scheduler.RunUntil(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], log);
        Assert.True(scheduler.Stopped);
        Assert.Equal(TimeSpan.FromSeconds(2), scheduler.Now);

        scheduler.RunFor(TimeSpan.FromSeconds(10));
        Assert.False(scheduler.RunWhile(() => true, TimeSpan.FromSeconds(100)));
        Assert.Equal([1, 2], log);
        Assert.Equal(TimeSpan.FromSeconds(2), scheduler.Now);
        Assert.Equal(2, scheduler.Pending);
    }

    [Fact]
    public void RunWhile_stops_when_the_condition_turns_false()
    {
        var scheduler = new SimulationScheduler();
        var count = 0;
        for (var i = 1; i <= 10; i++)
        {
            scheduler.Schedule(TimeSpan.FromSeconds(i), () => count++);
        }

        Assert.True(scheduler.RunWhile(() => count < 3, TimeSpan.FromSeconds(100)));
        Assert.Equal(3, count);
        Assert.Equal(TimeSpan.FromSeconds(3), scheduler.Now);
        Assert.False(scheduler.RunWhile(() => count < 100, TimeSpan.FromSeconds(5.5)));
        Assert.Equal(5, count);
        Assert.Equal(TimeSpan.FromSeconds(5.5), scheduler.Now);
    }

    [Fact]
    public void Clock_timers_fire_periodically_follow_Change_and_stop_when_disposed()
    {
        var scheduler = new SimulationScheduler();
        var clock = new SimulatedClock(scheduler);
        var fired = new List<double>();
        var timer = clock.CreateTimer(_ => fired.Add(scheduler.Now.TotalSeconds), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        scheduler.RunUntil(TimeSpan.FromSeconds(6));
        Assert.Equal([1.0, 3.0, 5.0], fired);

        timer.Change(TimeSpan.FromSeconds(0.5), Timeout.InfiniteTimeSpan);
        scheduler.RunUntil(TimeSpan.FromSeconds(20));
        Assert.Equal([1.0, 3.0, 5.0, 6.5], fired);

        timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        scheduler.RunUntil(TimeSpan.FromSeconds(22.5));
        timer.Dispose();
        scheduler.RunUntil(TimeSpan.FromSeconds(30));
        Assert.Equal([1.0, 3.0, 5.0, 6.5, 21.0, 22.0], fired);
    }

    [Fact]
    public void Wall_clock_offset_jumps_leave_elapsed_time_alone_and_drift_scales_both()
    {
        var scheduler = new SimulationScheduler();
        var clock = new SimulatedClock(scheduler) { Offset = TimeSpan.FromDays(-730), Drift = 1e-3 };
        var start = clock.GetTimestamp();
        scheduler.RunUntil(TimeSpan.FromSeconds(1000));

        // A crystal 1e-3 fast: its monotonic clock and its wall clock both gained a second.
        Assert.Equal(TimeSpan.FromSeconds(1001), clock.GetElapsedTime(start));
        Assert.Equal(SimulatedClock.Epoch + TimeSpan.FromSeconds(1001) - TimeSpan.FromDays(730), clock.GetUtcNow());

        clock.Offset = TimeSpan.Zero; // a clock jump forward: monotonic time does not move
        Assert.Equal(TimeSpan.FromSeconds(1001), clock.GetElapsedTime(start));
        Assert.Equal(SimulatedClock.Epoch + TimeSpan.FromSeconds(1001), clock.GetUtcNow());
    }
}
