namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// The simulator's one thread of virtual time (issue 5 item 1): an event queue ordered by due time
/// and, among equal times, by insertion order, so a run is a pure function of (code, seed,
/// scenario). Nothing here reads a real clock or starts a thread; time moves only when an event runs.
/// </summary>
public sealed class SimulationScheduler
{
    private readonly PriorityQueue<Action, (TimeSpan Due, long Sequence)> _queue = new(EventOrder.Instance);
    private long _sequence;

    /// <summary>Virtual time since the run began.</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>Events run so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Events waiting.</summary>
    public int Pending => _queue.Count;

    /// <summary>True once <see cref="Stop"/> was called: no further event runs and the clock stays where it stopped.</summary>
    public bool Stopped { get; private set; }

    /// <summary>
    /// Stops the run after the current event, so a checker that fails inside an event leaves the
    /// clock at the violation's virtual time (issue 5 item 6: the run stops on a violation).
    /// </summary>
    public void Stop() => Stopped = true;

    /// <summary>Runs <paramref name="action"/> <paramref name="delay"/> from now (a negative delay means now).</summary>
    public void Schedule(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var due = delay > TimeSpan.Zero ? Now + delay : Now;
        _queue.Enqueue(action, (due, _sequence++));
    }

    /// <summary>Runs every event due at or before <paramref name="time"/>, then sets the clock to it.</summary>
    public void RunUntil(TimeSpan time)
    {
        while (!Stopped && _queue.TryPeek(out _, out var priority) && priority.Due <= time)
        {
            RunNext();
        }

        if (!Stopped && time > Now)
        {
            Now = time;
        }
    }

    /// <summary>Runs for <paramref name="duration"/> of virtual time.</summary>
    public void RunFor(TimeSpan duration) => RunUntil(Now + duration);

    /// <summary>
    /// Runs events one by one while <paramref name="condition"/> holds and the next event is due no
    /// later than <paramref name="limit"/>; returns true when the condition became false.
    /// </summary>
    public bool RunWhile(Func<bool> condition, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(condition);
        while (condition())
        {
            if (Stopped)
            {
                return false;
            }

            if (!_queue.TryPeek(out _, out var priority) || priority.Due > limit)
            {
                if (limit > Now)
                {
                    Now = limit;
                }

                return !condition();
            }

            RunNext();
        }

        return true;
    }

    private void RunNext()
    {
        _queue.TryDequeue(out var action, out var priority);
        // Events are only ever scheduled at or after Now, so the clock never goes back.
        Now = priority.Due;
        EventsProcessed++;
        action!();
    }

    /// <summary>Earlier due time first; equal times in the order they were scheduled (FIFO, so replay is exact).</summary>
    private sealed class EventOrder : IComparer<(TimeSpan Due, long Sequence)>
    {
        public static readonly EventOrder Instance = new();

        public int Compare((TimeSpan Due, long Sequence) x, (TimeSpan Due, long Sequence) y)
        {
            var byTime = x.Due.CompareTo(y.Due);
            return byTime != 0 ? byTime : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
