using EPostEdge.EdgeNode.Health;

namespace EPostEdge.EdgeNode.Leds;

/// <summary>
/// What the two LEDs show for one <see cref="NodeCondition"/>: a timeline of steps repeated for
/// as long as the condition holds. Green says "mail works" (steady while the node serves), red
/// says what is wrong by its rhythm; the table in README.md ("Status LEDs") is what the user
/// reads on the box, and a test checks it against these timelines.
/// </summary>
public sealed class LedPattern
{
    /// <summary>The slot the README's strips are drawn in: one character per 100 ms.</summary>
    public static readonly TimeSpan Slot = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Half = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private LedPattern(NodeCondition condition, string meaning, params LedStep[] steps)
    {
        Condition = condition;
        Meaning = meaning;
        Steps = steps;
        Cycle = TimeSpan.FromTicks(steps.Sum(s => s.Duration.Ticks));
    }

    /// <summary>The condition this pattern shows.</summary>
    public NodeCondition Condition { get; }

    /// <summary>What the user should read from it.</summary>
    public string Meaning { get; }

    /// <summary>The steps of one cycle, in order.</summary>
    public IReadOnlyList<LedStep> Steps { get; }

    /// <summary>The length of one cycle.</summary>
    public TimeSpan Cycle { get; }

    /// <summary>A single step: the LEDs are set once and stay.</summary>
    public bool Steady => Steps.Count == 1;

    /// <summary>The pattern of every condition (total: a new <see cref="NodeCondition"/> without one fails the tests).</summary>
    public static IReadOnlyList<LedPattern> All { get; } =
    [
        new(NodeCondition.Healthy, "all is well", new LedStep(2 * Second, true, false)),
        new(NodeCondition.Booting, "starting: opening the store, joining the overlay", new LedStep(Second, true, false), new LedStep(Second, false, false)),

        // The node still serves mail in the next three: green stays on, red tells what to look at.
        new(NodeCondition.Degraded, "some mail is not yet fully redundant (a friend's node is gone for a while)", new LedStep(Second, true, true), new LedStep(Second, true, false)),
        new(NodeCondition.Alone, "no other node answers: partitioned, or the network is down", new LedStep(Short, true, true), new LedStep(Short, true, false), new LedStep(Short, true, true), new LedStep(Second + 2 * Short, true, false)),
        new(NodeCondition.NearBudget, "disk or memory near its budget: new mail is refused for now", new LedStep(Short, true, true), new LedStep(Short, true, false)),
        new(NodeCondition.Updating, "installing an update: do not unplug", new LedStep(Half, true, false), new LedStep(Half, false, true)),
        new(NodeCondition.Failed, "the node cannot work (disk refuses writes, a service died): see the health page or the journal", new LedStep(2 * Second, false, true)),
    ];

    /// <summary>The pattern for <paramref name="condition"/>.</summary>
    public static LedPattern For(NodeCondition condition) =>
        All.FirstOrDefault(p => p.Condition == condition) ?? throw new ArgumentOutOfRangeException(nameof(condition), condition, "no LED pattern");

    /// <summary>The step in force <paramref name="elapsed"/> after the pattern started, and how long it still lasts.</summary>
    public (LedStep Step, TimeSpan Remaining) At(TimeSpan elapsed)
    {
        var position = TimeSpan.FromTicks(Math.Max(0, elapsed.Ticks) % Cycle.Ticks);
        foreach (var step in Steps)
        {
            if (position < step.Duration)
            {
                return (step, step.Duration - position);
            }

            position -= step.Duration;
        }

        return (Steps[0], Steps[0].Duration); // not reached: position < Cycle
    }
}
