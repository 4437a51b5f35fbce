using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Web;

namespace EPostEdge.EdgeNode.Tests.Web;

public sealed class NodeMetricsTests
{
    [Fact]
    public void Every_figure_of_the_status_is_exposed_under_its_name()
    {
        var status = WebSamples.Status(budget: new BudgetStatus("pi-zero-2w", 400L << 20, 90_000_000, 120_000_000, false, true));
        var metrics = Exposition.Parse(NodeMetrics.Render(WebSamples.View(status, NodeCondition.NearBudget, ["disk near full"])));

        Assert.Equal(1, metrics.With("epostedge_build_info", "version", "1.2.3+abcdef012345"));
        Assert.Equal(1, metrics.Single("epostedge_health_serving"));
        Assert.Equal(1, metrics.Single("epostedge_health_reasons"));
        Assert.Equal((26 * 3600) + (7 * 60), metrics.Single("epostedge_uptime_seconds"));
        Assert.Equal(1234, metrics.Single("epostedge_store_blocks"));
        Assert.Equal(56_789_012, metrics.Single("epostedge_store_used_bytes"));
        Assert.Equal(1L << 30, metrics.Single("epostedge_store_quota_bytes"));
        Assert.Equal(98765, metrics.Single("epostedge_store_journal_sequence"));
        Assert.Equal(3, metrics.Single("epostedge_mail_users"));
        Assert.Equal(1500, metrics.Single("epostedge_mail_messages"));
        Assert.Equal(2, metrics.Single("epostedge_mail_outbound_queue"));
        Assert.Equal(1, metrics.Single("epostedge_overlay_joined"));
        Assert.Equal(2, metrics.Single("epostedge_overlay_leaves")); // b is on both sides: counted once
        Assert.Equal(0.00125, metrics.With("epostedge_overlay_leaf_rtt_seconds", "node", WebSamples.Both.Id.ToString()));
        Assert.Single(metrics.Families["epostedge_overlay_leaf_rtt_seconds"].Samples); // the relayed one has no RTT yet
        Assert.Equal(1, metrics.Single("epostedge_overlay_routing_table_entries"));
        Assert.Equal(1, metrics.Single("epostedge_overlay_recently_dead"));
        Assert.Equal(2000, metrics.Single("epostedge_overlay_bytes_sent_total"));
        Assert.Equal(1, metrics.Single("epostedge_overlay_declared_dead_total"));
        Assert.Equal("counter", metrics.Families["epostedge_overlay_frames_received_total"].Type);
        Assert.Equal(120, metrics.Single("epostedge_durability_objects"));
        Assert.Equal(4, metrics.Single("epostedge_durability_objects_below_full"));
        Assert.Equal(300, metrics.Single("epostedge_durability_held_items"));
        Assert.Equal(250, metrics.Single("epostedge_durability_held_replicas"));
        Assert.Equal(40_000_000, metrics.Single("epostedge_durability_held_bytes"));
        Assert.Equal(2L << 30, metrics.Single("epostedge_durability_contributed_bytes"));
        Assert.Equal(90_000_000, metrics.Single("epostedge_process_resident_bytes")); // the budget's RSS
        Assert.Equal(120_000_000, metrics.Single("epostedge_process_resident_peak_bytes"));
        Assert.Equal(400L << 20, metrics.Single("epostedge_process_memory_budget_bytes"));
        Assert.Equal(12_345_678, metrics.Single("epostedge_process_managed_heap_bytes"));
        Assert.Equal(7, metrics.Single("epostedge_process_threadpool_threads"));
        Assert.Equal(0, metrics.Single("epostedge_budget_memory_shedding"));
        Assert.Equal(1, metrics.Single("epostedge_budget_disk_near_full"));
        Assert.Equal(1, metrics.With("epostedge_listening", "port", "1993"));
        Assert.Equal(1, metrics.With("epostedge_log_messages_total", "level", "warning"));
        Assert.Equal(0, metrics.With("epostedge_log_messages_total", "level", "error"));
    }

    [Theory]
    [InlineData(NodeCondition.Healthy, "healthy", 1)]
    [InlineData(NodeCondition.Booting, "booting", 0)]
    [InlineData(NodeCondition.Alone, "alone", 1)]
    [InlineData(NodeCondition.NearBudget, "near-budget", 1)]
    [InlineData(NodeCondition.Failed, "failed", 0)]
    public void The_condition_is_one_hot_over_every_condition(NodeCondition condition, string name, int serving)
    {
        var metrics = Exposition.Parse(NodeMetrics.Render(WebSamples.View(WebSamples.Status(), condition)));
        var samples = metrics.Families["epostedge_health_condition"].Samples;

        Assert.Equal(ConditionNames.All.Select(ConditionNames.Of), samples.Select(s => s.Labels["condition"]));
        Assert.Equal(name, Assert.Single(samples, s => s.Value == 1).Labels["condition"]);
        Assert.All(samples, s => Assert.True(s.Value is 0 or 1));
        Assert.Equal(serving, metrics.Single("epostedge_health_serving"));
    }

    [Fact]
    public void Parts_that_do_not_run_are_left_out_not_reported_as_zero()
    {
        var status = WebSamples.Status(withOverlay: false) with { Mail = null, QuotaBytes = null };
        var metrics = Exposition.Parse(NodeMetrics.Render(WebSamples.View(status)));

        Assert.DoesNotContain(metrics.Families.Keys, k => k.StartsWith("epostedge_overlay_", StringComparison.Ordinal) || k.StartsWith("epostedge_durability_", StringComparison.Ordinal) || k.StartsWith("epostedge_mail_", StringComparison.Ordinal) || k.StartsWith("epostedge_budget_", StringComparison.Ordinal));
        Assert.False(metrics.Families.ContainsKey("epostedge_store_quota_bytes"));
        Assert.Equal(80_000_000, metrics.Single("epostedge_process_resident_bytes")); // the working set, without a budget
        Assert.All(metrics.Families.Keys, k => Assert.StartsWith("epostedge_", k, StringComparison.Ordinal));
    }
}
