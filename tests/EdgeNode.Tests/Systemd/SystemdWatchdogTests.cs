using System.Collections;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Systemd;
using EPostEdge.EdgeNode.Tests.Leds;
using Microsoft.Extensions.Logging.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Systemd;

/// <summary>What the node tells systemd after each health evaluation (sd_notify(3), sd_watchdog_enabled(3)).</summary>
public sealed class SystemdWatchdogTests
{
    private static readonly WatchdogSettings ThirtySeconds = new(TimeSpan.FromSeconds(30));

    public static TheoryData<NodeCondition, bool> Conditions() => new()
    {
        { NodeCondition.Healthy, true },
        { NodeCondition.Booting, true },
        { NodeCondition.Degraded, true },
        { NodeCondition.Alone, true },
        { NodeCondition.NearBudget, true },
        { NodeCondition.Updating, true },
        { NodeCondition.Failed, false },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public async Task Each_evaluation_pings_the_watchdog_only_while_the_node_is_alive(NodeCondition condition, bool pings)
    {
        var health = new FakeHealthSource(NodeCondition.Booting, TimeProvider.System);
        var notifier = new RecordingNotifier();
        var watchdog = new SystemdWatchdog(health, notifier, ThirtySeconds, "test", TimeSpan.FromSeconds(5), NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            health.Raise(condition);
        }

        Assert.Equal(pings ? 3 : 0, notifier.Count("WATCHDOG=1"));
        var status = Assert.Single(notifier.Sent, s => s.StartsWith("STATUS=", StringComparison.Ordinal));
        Assert.Equal(condition == NodeCondition.Healthy ? "STATUS=Healthy" : $"STATUS={condition}: because {condition}", status);
        Assert.Equal(pings, SystemdWatchdog.KeepsAlive(health.Current));

        await watchdog.StopAsync(CancellationToken.None);
        health.Raise(NodeCondition.Healthy);
        Assert.Equal(pings ? 3 : 0, notifier.Count("WATCHDOG=1"));
    }

    [Fact]
    public async Task Status_is_sent_on_each_change_and_pings_stop_while_failed()
    {
        var health = new FakeHealthSource(NodeCondition.Booting, TimeProvider.System);
        var notifier = new RecordingNotifier();
        var watchdog = new SystemdWatchdog(health, notifier, ThirtySeconds, "test", TimeSpan.FromSeconds(5), NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);
        foreach (var condition in new[] { NodeCondition.Healthy, NodeCondition.Healthy, NodeCondition.Failed, NodeCondition.Failed, NodeCondition.Healthy })
        {
            health.Raise(condition);
        }

        Assert.Equal(
            ["STATUS=Healthy", "WATCHDOG=1", "WATCHDOG=1", "STATUS=Failed: because Failed", "STATUS=Healthy", "WATCHDOG=1"],
            notifier.Sent);
    }

    [Fact]
    public async Task Without_a_watchdog_only_status_is_sent_and_without_systemd_nothing()
    {
        var health = new FakeHealthSource(NodeCondition.Booting, TimeProvider.System);
        var notifier = new RecordingNotifier();
        var watchdog = new SystemdWatchdog(health, notifier, null, "test", TimeSpan.FromSeconds(5), NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);
        health.Raise(NodeCondition.Healthy);
        Assert.Equal(["STATUS=Healthy"], notifier.Sent);

        var off = new RecordingNotifier(enabled: false);
        var silent = new SystemdWatchdog(health, off, ThirtySeconds, "test", TimeSpan.FromSeconds(5), NullLogger<SystemdWatchdog>.Instance);
        await silent.StartAsync(CancellationToken.None);
        health.Raise(NodeCondition.Failed);
        Assert.Empty(off.Sent);
    }

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("500000", "", 0.5)]
    [InlineData("30000000", "1", null)]
    [InlineData("30000000", "pid", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", "4242", null)]
    public void Watchdog_variables_are_read_as_sd_watchdog_enabled_reads_them(string? usec, string? pid, double? seconds)
    {
        var environment = new Hashtable();
        if (usec is not null)
        {
            environment["WATCHDOG_USEC"] = usec;
        }

        if (pid is not null)
        {
            environment["WATCHDOG_PID"] = pid;
        }

        var settings = WatchdogSettings.FromEnvironment(environment, 4242, out var why);
        Assert.Equal(seconds, settings?.Limit.TotalSeconds);
        Assert.NotEmpty(why);
    }

    [Theory]
    [InlineData("8:12345", 12345UL, true)]
    [InlineData("8:12345", 12346UL, false)]
    [InlineData("8:12345", null, false)]
    [InlineData("", 12345UL, false)]
    [InlineData("garbage", 12345UL, false)]
    public void The_journal_is_recognised_by_the_inode_of_stdout(string stream, ulong? inode, bool journal) =>
        Assert.Equal(journal, SystemdServices.IsJournal(stream, inode));
}
