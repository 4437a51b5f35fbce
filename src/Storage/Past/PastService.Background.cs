using EPostEdge.Overlay.Ids;

namespace EPostEdge.Storage.Past;

/// <summary>
/// Pacing of the work a node does for itself in the background: Glacier fragments and pointers of
/// what it inserted, audits, renewals, hand-offs, trims, restores. They go through a window of
/// <see cref="PastOptions.BackgroundRequests"/> requests in flight, so that they never crowd out
/// the requests that someone waits for (inserts, reads, and the requests of other nodes).
/// </summary>
/// <remarks>
/// Why: one sealed aggregate of 16 members is 48 fragment stores and 16 × 16 pointer stores, and an
/// audit round is one probe per held fragment and pointer. Sent at once, their hop acknowledgements,
/// root acknowledgements and answers arrive together at one socket, whose receive buffer (Linux's
/// default of 208 KiB, net.core.rmem_default) overflows: the kernel drops datagrams, among them
/// the answers of inserts, which then wait for their timeout (9 s for a coordinated insert) and
/// with them every insert pipelined behind. Measured on 8 nodes on loopback: 34 000 datagrams
/// dropped (RcvbufErrors) while writing 1 000 objects, 13 objects/s.
/// </remarks>
public sealed partial class PastService
{
    /// <summary>Rounds of a background store (Glacier fragment or pointer, replica top-up) before it is left to renewal and audits.</summary>
    private const int StoreRounds = 4;

    private readonly Queue<TaskCompletionSource> _waitingForWindow = new();
    private int _backgroundInFlight;
    private bool _dispatching;

    /// <summary>
    /// A request of this node's own background work: waits for a place in the window (FIFO), then is
    /// sent like any other (<see cref="RequestAsync"/>).
    /// </summary>
    private async Task<PastMessage?> PacedRequestAsync(PastMessage message, NodeHandle? to, NodeId routeKey)
    {
        if (_backgroundInFlight < _options.BackgroundRequests && _waitingForWindow.Count == 0)
        {
            _backgroundInFlight++;
        }
        else
        {
            var turn = new TaskCompletionSource();
            _waitingForWindow.Enqueue(turn);
            await turn.Task; // Dispatch counted this request in when it let it go
        }

        try
        {
            return await RequestAsync(message, to, routeKey);
        }
        finally
        {
            _backgroundInFlight--;
            Dispatch();
        }
    }

    /// <summary>
    /// Lets waiting requests go while the window has room. A waiter continues inline (on the node's
    /// thread, as every answer's continuation does) up to its next await; one that ends at once (an
    /// answer from this node itself, a disposed service) comes back here through its own finally and
    /// finds the loop running, so a long queue is worked through in this loop, not by recursion.
    /// </summary>
    private void Dispatch()
    {
        if (_dispatching)
        {
            return;
        }

        _dispatching = true;
        try
        {
            while ((_disposed || _backgroundInFlight < _options.BackgroundRequests) && _waitingForWindow.TryDequeue(out var next))
            {
                _backgroundInFlight++;
                next.TrySetResult();
            }
        }
        finally
        {
            _dispatching = false;
        }
    }

    /// <summary>Background requests in flight and waiting for the window (tests).</summary>
    internal (int InFlight, int Waiting) Background()
    {
        (int, int) result = default;
        _kbr.Execute(() => result = (_backgroundInFlight, _waitingForWindow.Count));
        return result;
    }

    /// <summary>
    /// Runs <paramref name="store"/> for 0 .. <paramref name="count"/> − 1, then again for those that
    /// failed, up to <see cref="StoreRounds"/> rounds with growing pauses (RequestTimeout, twice that,
    /// …): a burst of losses passes, and a dead root is replaced in the leaf sets meanwhile. Returns
    /// how many were stored.
    /// </summary>
    private async Task<int> StoreInRoundsAsync(int count, Func<int, Task<bool>> store)
    {
        var stored = new bool[count];
        for (var round = 0; ; round++)
        {
            var pending = Enumerable.Range(0, count).Where(i => !stored[i]).ToList();
            var results = await Task.WhenAll(pending.Select(store));
            for (var i = 0; i < pending.Count; i++)
            {
                stored[pending[i]] = results[i];
            }

            if (round + 1 >= StoreRounds || _disposed || stored.All(s => s))
            {
                return stored.Count(s => s);
            }

            await DelayAsync(_options.RequestTimeout * (1 << round));
        }
    }

    /// <summary>
    /// An acknowledged insert that fewer than k replicas confirmed (a lost answer, a member that was
    /// slow): the owner inserts it again after a pause (holders that have it only renew it), so that
    /// its count reaches k and says so, rather than waiting for the next renewal, epochs later.
    /// </summary>
    private async Task TopUpReplicasAsync(OwnedObject owned, byte[] content, uint lease)
    {
        for (var round = 0; round + 1 < StoreRounds && owned.ReplicasConfirmed < _options.Replicas && !owned.Released && !_disposed; round++)
        {
            await DelayAsync(_options.RequestTimeout * (1 << round));
            var answer = await PacedRequestAsync(
                new PastMessage { Kind = PastMessageKind.Insert, Key = owned.Key, Held = HeldKind.Replica, LeaseEpochs = lease, Payload = content },
                null,
                Glacier.FragmentKeys.Placement(owned.Key));
            if (answer is not null)
            {
                owned.ReplicasConfirmed = answer.Count;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="work"/> for each item, at most <see cref="PastOptions.BackgroundRequests"/>
    /// at a time: a round over thousands of held items (audits) neither floods the network nor holds
    /// the node's thread while it reads and checks them all at once.
    /// </summary>
    private async Task ForEachPacedAsync<T>(IReadOnlyList<T> items, Func<T, Task> work)
    {
        var running = new List<Task>();
        foreach (var item in items)
        {
            if (_disposed)
            {
                break;
            }

            if (running.Count >= _options.BackgroundRequests)
            {
                running.Remove(await Task.WhenAny(running));
            }

            running.Add(ObservedAsync(work(item)));
        }

        await Task.WhenAll(running);
    }

    /// <summary>Awaits a piece of background work, counting its failure instead of ending the loop that runs it.</summary>
    private async Task ObservedAsync(Task work)
    {
        try
        {
            await work;
        }
#pragma warning disable CA1031 // one item's failure is counted; the round goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failed(ex);
        }
    }

    /// <summary>A pause on the node's clock (the simulator's virtual one there); continues inside Execute.</summary>
    private Task DelayAsync(TimeSpan delay)
    {
        var done = new TaskCompletionSource();
        ITimer? timer = null;
        timer = _kbr.Time.CreateTimer(
            _ => _kbr.Execute(() =>
            {
                timer?.Dispose();
                done.TrySetResult();
            }),
            null,
            delay,
            Timeout.InfiniteTimeSpan);
        return done.Task;
    }

    /// <summary>Lets every request waiting for the window go: they find the service disposed and end.</summary>
    private void ReleaseWindow() => Dispatch();
}
