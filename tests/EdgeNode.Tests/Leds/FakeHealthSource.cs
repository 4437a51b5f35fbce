using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Tests.Leds;

/// <summary>A health loop the test drives: <see cref="Raise"/> is one evaluation.</summary>
internal sealed class FakeHealthSource(NodeCondition initial, TimeProvider time) : IHealthSource
{
    public HealthReport Current { get; private set; } = Report(initial, time);

    public event Action<HealthReport>? Evaluated;

    public int Listeners => Evaluated?.GetInvocationList().Length ?? 0;

    public static HealthReport Report(NodeCondition condition, TimeProvider time) =>
        new(condition, condition == NodeCondition.Healthy ? [] : [$"because {condition}"], time.GetUtcNow(), new NodeStatus { Running = true, DataDirectory = "/data" });

    public void Raise(NodeCondition condition)
    {
        Current = Report(condition, time);
        Evaluated?.Invoke(Current);
    }
}
