using EPostEdge.EdgeNode.Leds;

namespace EPostEdge.EdgeNode.Tests.Leds;

/// <summary>An LED that records each change with the time it happened (the test's FakeTimeProvider).</summary>
internal sealed class RecordingLed(string name, TimeProvider time) : ILed
{
    private readonly List<(DateTimeOffset At, bool On)> _changes = [];
    private readonly Lock _gate = new();

    public string Name => name;

    public bool Disposed { get; private set; }

    /// <summary>Set to make every later <see cref="Set"/> throw (a vanished LED).</summary>
    public bool Broken { get; set; }

    public IReadOnlyList<(DateTimeOffset At, bool On)> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>Whether the LED is lit now (off before the first write).</summary>
    public bool On
    {
        get
        {
            lock (_gate)
            {
                return _changes.Count > 0 && _changes[^1].On;
            }
        }
    }

    public void Set(bool on)
    {
        if (Broken)
        {
            throw new IOException($"{name} is gone");
        }

        lock (_gate)
        {
            if (_changes.Count == 0 || _changes[^1].On != on)
            {
                _changes.Add((time.GetUtcNow(), on));
            }
        }
    }

    public void Dispose() => Disposed = true;
}
