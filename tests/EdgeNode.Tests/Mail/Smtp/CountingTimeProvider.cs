using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers made from it, so a test can wait until
/// the session has consumed what it sent and armed its next read timeout before advancing time.
/// </summary>
internal sealed class CountingTimeProvider : FakeTimeProvider
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _dueTimes = new();
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _dueTimes.Enqueue(dueTime);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>
    /// Waits (polling; a hang guard only) until at least <paramref name="count"/> timers due in
    /// <paramref name="dueTime"/> were made (a <c>Task.Delay(dueTime, this)</c> is one): advancing
    /// time before the code under test armed its wait would skip past it.
    /// </summary>
    public async Task WaitForTimersAsync(TimeSpan dueTime, int count)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (_dueTimes.Count(d => d == dueTime) < count)
        {
            await Task.Delay(1, guard.Token);
        }
    }

    /// <summary>Waits (polling; a hang guard only) until at least <paramref name="count"/> timers exist.</summary>
    public async Task WaitForTimersAsync(int count)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (TimersCreated < count)
        {
            await Task.Delay(1, guard.Token);
        }
    }
}
