using System.Diagnostics;
using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Tests.Hosting;

/// <summary>
/// DATA/node.lock: one holder at a time, and <c>run</c> waits out a short-lived holder (a
/// <c>status</c> reading the store) instead of failing as if another node ran.
/// </summary>
public sealed class NodeLockTests
{
    [Fact]
    public void A_second_holder_is_refused_while_the_first_holds_it_and_taken_after()
    {
        using var temp = new TempDirectory();
        var first = NodeLock.TryAcquire(temp.Path);
        Assert.NotNull(first);
        Assert.Null(NodeLock.TryAcquire(temp.Path));
        Assert.True(NodeLock.IsHeld(temp.Path));
        first.Dispose();
        Assert.False(NodeLock.IsHeld(temp.Path));
        using var second = NodeLock.TryAcquire(temp.Path);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task Run_waits_for_a_lock_that_a_short_lived_command_gives_back()
    {
        using var temp = new TempDirectory();
        var status = NodeLock.TryAcquire(temp.Path)!;
        var release = Task.Run(async () =>
        {
            await Task.Delay(300);
            status.Dispose();
        });

        using var run = await NodeLock.AcquireAsync(temp.Path, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        await release;
        Assert.NotNull(run);
    }

    [Fact]
    public async Task A_lock_held_past_the_patience_is_refused_after_waiting_it()
    {
        using var temp = new TempDirectory();
        using var node = NodeLock.TryAcquire(temp.Path)!;
        var clock = Stopwatch.StartNew();
        var run = await NodeLock.AcquireAsync(temp.Path, TimeSpan.FromMilliseconds(300), TimeProvider.System, CancellationToken.None);
        Assert.Null(run);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"gave up after {clock.Elapsed.TotalMilliseconds} ms");
    }
}
