using EPostEdge.EdgeNode.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Hosting;

/// <summary><see cref="IdleCollector"/>: collects once when a node goes quiet after work, never while it is busy.</summary>
public sealed class IdleCollectorTests
{
    private long _allocated;
    private int _collected;

    private IdleCollector Create(FakeTimeProvider time) => new(time, () => _allocated, () => _collected++);

    [Theory]
    [InlineData(0, 0, false)]                                              // nothing happened
    [InlineData(0, IdleCollector.WorkBytes + 1, true)]                     // quiet after work
    [InlineData(IdleCollector.IdleBytes, IdleCollector.WorkBytes + 1, false)] // still busy
    [InlineData(IdleCollector.IdleBytes - 1, IdleCollector.WorkBytes, false)] // too little work to be worth a pause
    public void Decision(long sinceLastTick, long sinceLastCollect, bool expected) =>
        Assert.Equal(expected, IdleCollector.ShouldCollect(sinceLastTick, sinceLastCollect));

    [Fact]
    public async Task Collects_once_after_start_up_work_then_waits_for_more_work()
    {
        var time = new FakeTimeProvider();
        _allocated = 20 * 1024 * 1024; // the replay and mailbox load before the service starts
        var collector = Create(time);
        await collector.StartAsync(CancellationToken.None);

        time.Advance(IdleCollector.Period);
        Assert.Equal(1, _collected);

        // Idle: the status file's few KiB each period never trigger another collection.
        for (var i = 0; i < 10; i++)
        {
            _allocated += 8 * 1024;
            time.Advance(IdleCollector.Period);
        }

        Assert.Equal(1, _collected);
        await collector.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Waits_for_a_burst_to_end_before_collecting()
    {
        var time = new FakeTimeProvider();
        var collector = Create(time);
        await collector.StartAsync(CancellationToken.None);

        // An SMTP burst: megabytes each period, no pause imposed on it.
        for (var i = 0; i < 5; i++)
        {
            _allocated += 10 * 1024 * 1024;
            time.Advance(IdleCollector.Period);
        }

        Assert.Equal(0, _collected);

        time.Advance(IdleCollector.Period); // quiet
        Assert.Equal(1, _collected);
        Assert.Equal(1, collector.Collections);

        await collector.StopAsync(CancellationToken.None);
        time.Advance(IdleCollector.Period * 4);
        Assert.Equal(1, _collected); // stopped: no more ticks
    }
}
