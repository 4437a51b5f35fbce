using System.Text;
using System.Text.RegularExpressions;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Leds;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Leds;

/// <summary>
/// What the box shows: for every condition the recorded LED timeline is the strip documented in
/// README.md ("Status LEDs"), cycle after cycle, with every change on a 100 ms boundary.
/// </summary>
public sealed partial class LedPanelTests
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<NodeCondition> Conditions() => [.. Enum.GetValues<NodeCondition>()];

    [Theory]
    [MemberData(nameof(Conditions))]
    public async Task Every_condition_shows_the_pattern_documented_in_the_readme(NodeCondition condition)
    {
        var documented = ReadmeTable();
        Assert.True(documented.ContainsKey(condition), $"README.md's LED table has no row for {condition}");
        var (green, red) = documented[condition];

        var time = new FakeTimeProvider(Epoch);
        var (panel, greenLed, redLed, _) = Panel(condition, time);
        await panel.StartAsync(CancellationToken.None);

        // Three cycles of two seconds in 10 ms ticks (FakeTimeProvider runs a timer at the
        // time it was moved to), read in the middle of each 100 ms slot.
        var greenSeen = new StringBuilder();
        var redSeen = new StringBuilder();
        for (var tick = 1; tick <= 600; tick++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            if (tick % 10 == 5)
            {
                greenSeen.Append(greenLed.On ? '#' : '.');
                redSeen.Append(redLed.On ? '#' : '.');
            }
        }

        Assert.Equal(green + green + green, greenSeen.ToString());
        Assert.Equal(red + red + red, redSeen.ToString());
        foreach (var (at, _) in greenLed.Changes.Concat(redLed.Changes))
        {
            Assert.Equal(0, (at - Epoch).Ticks % LedPattern.Slot.Ticks);
        }

        await panel.StopAsync(CancellationToken.None);
        Assert.True(greenLed.Disposed && redLed.Disposed, "the LEDs are handed back on stop");
    }

    [Fact]
    public void Every_condition_has_a_pattern_whose_strip_is_in_the_readme()
    {
        var documented = ReadmeTable();
        Assert.Equal(Enum.GetValues<NodeCondition>().Order(), documented.Keys.Order());
        foreach (var pattern in LedPattern.All)
        {
            Assert.Equal(documented[pattern.Condition], (Strip(pattern, s => s.Green), Strip(pattern, s => s.Red)));
        }
    }

    [Fact]
    public async Task A_change_of_condition_shows_at_once_from_the_first_step()
    {
        var time = new FakeTimeProvider(Epoch);
        var (panel, green, red, health) = Panel(NodeCondition.Booting, time);
        await panel.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1_300)); // booting's off half: green dark
        Assert.False(green.On);

        health.Raise(NodeCondition.NearBudget);
        Assert.True(green.On);
        Assert.True(red.On);
        Assert.Equal(Epoch + TimeSpan.FromMilliseconds(1_300), red.Changes[^1].At);
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(red.On);

        // The same condition again does not restart the pattern.
        time.Advance(TimeSpan.FromMilliseconds(100));
        health.Raise(NodeCondition.NearBudget);
        Assert.False(red.On);
        await panel.StopAsync(CancellationToken.None);
        Assert.Equal(0, health.Listeners);
    }

    [Fact]
    public async Task A_failing_led_is_left_alone_and_the_node_goes_on()
    {
        var time = new FakeTimeProvider(Epoch);
        var (panel, green, _, health) = Panel(NodeCondition.Booting, time);
        green.Broken = true;
        await panel.StartAsync(CancellationToken.None);
        health.Raise(NodeCondition.Failed);
        time.Advance(TimeSpan.FromSeconds(5));
        await panel.StopAsync(CancellationToken.None);
        Assert.True(green.Disposed);
    }

    [Fact]
    public async Task Leds_that_cannot_be_taken_leave_the_panel_off()
    {
        var time = new FakeTimeProvider(Epoch);
        var health = new FakeHealthSource(NodeCondition.Healthy, time);
        var panel = new LedPanel(health, () => throw new IOException("no LED 'ACT'"), time, NullLogger<LedPanel>.Instance);
        await panel.StartAsync(CancellationToken.None);
        health.Raise(NodeCondition.Failed);
        Assert.Null(panel.Showing);
        await panel.StopAsync(CancellationToken.None);
    }

    private static (LedPanel Panel, RecordingLed Green, RecordingLed Red, FakeHealthSource Health) Panel(NodeCondition condition, FakeTimeProvider time)
    {
        var health = new FakeHealthSource(condition, time);
        var green = new RecordingLed("green", time);
        var red = new RecordingLed("red", time);
        return (new LedPanel(health, () => (green, red), time, NullLogger<LedPanel>.Instance), green, red, health);
    }

    private static string Strip(LedPattern pattern, Func<LedStep, bool> led)
    {
        var text = new StringBuilder();
        for (var slot = 0; slot < 20; slot++)
        {
            text.Append(led(pattern.At((slot * LedPattern.Slot) + (LedPattern.Slot / 2)).Step) ? '#' : '.');
        }

        return text.ToString();
    }

    /// <summary>The rows of README.md's LED table: condition → (green strip, red strip).</summary>
    internal static Dictionary<NodeCondition, (string Green, string Red)> ReadmeTable()
    {
        var rows = new Dictionary<NodeCondition, (string, string)>();
        foreach (Match row in TableRow().Matches(File.ReadAllText(RepositoryFile("README.md"))))
        {
            var condition = Enum.Parse<NodeCondition>(row.Groups[1].Value);
            Assert.True(rows.TryAdd(condition, (row.Groups[2].Value, row.Groups[3].Value)), $"README.md has two LED rows for {condition}");
        }

        return rows;
    }

    internal static string RepositoryFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EPostEdge.sln")))
            {
                return Path.Combine(directory.FullName, name);
            }
        }

        throw new FileNotFoundException($"no EPostEdge.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^\| (\w+) \| `([#.]{20})` \| `([#.]{20})` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
