using EPostEdge.Overlay.Pastry;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// <c>/metrics</c>: the node's figures in the Prometheus text format 0.0.4, all named
/// <c>epostedge_*</c> (list in README "Web health page"). A family whose part of the node does not
/// run (no overlay, no mail store, no hw-profile budget) is left out rather than reported as 0.
/// </summary>
public static class NodeMetrics
{
    // OverlayCounters as Prometheus counters: (name without epostedge_overlay_ and _total, help, value).
    private static readonly (string Name, string Help, Func<OverlayCounters, long> Value)[] OverlayCounterFamilies =
    [
        ("frames_sent", "Overlay frames sent.", c => c.FramesSent),
        ("bytes_sent", "Overlay bytes sent.", c => c.BytesSent),
        ("frames_received", "Overlay frames received.", c => c.FramesReceived),
        ("bytes_received", "Overlay bytes received.", c => c.BytesReceived),
        ("maintenance_bytes_sent", "Bytes sent for keep-alives, leaf-set exchange and table repair.", c => c.MaintenanceBytesSent),
        ("maintenance_bytes_received", "Bytes received for keep-alives, leaf-set exchange and table repair.", c => c.MaintenanceBytesReceived),
        ("malformed", "Frames dropped as malformed.", c => c.Malformed),
        ("bad_mac", "Frames dropped for a bad link MAC.", c => c.BadMac),
        ("certificates_refused", "Node certificates refused.", c => c.CertificatesRefused),
        ("unknown_senders", "Frames from senders without a known certificate.", c => c.UnknownSenders),
        ("declared_dead", "Neighbours declared dead after failed probe rounds.", c => c.DeclaredDead),
        ("delivered", "Routed messages delivered here (this node was the key's root).", c => c.Delivered),
        ("forwarded", "Routed messages forwarded to a next hop.", c => c.Forwarded),
        ("hop_retries", "Per-hop retransmissions.", c => c.HopRetries),
        ("route_failures", "Routed messages given up.", c => c.RouteFailures),
        ("root_ack_timeouts", "Root acknowledgements that timed out.", c => c.RootAckTimeouts),
        ("relayed", "Frames relayed for source-routed neighbours.", c => c.Relayed),
    ];

    /// <summary>The exposition for <paramref name="view"/>.</summary>
    public static string Render(HealthView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var report = view.Report;
        var status = report.Status;
        var text = new PrometheusText();

        text.Family("epostedge_build_info", "gauge", "The node's version (value always 1).").Sample(1, ("version", view.Version));
        text.Family("epostedge_health_condition", "gauge", "1 for the node's current condition, 0 for the others.");
        foreach (var condition in ConditionNames.All)
        {
            text.Sample(condition == report.Condition ? 1 : 0, ("condition", ConditionNames.Of(condition)));
        }

        text.Gauge("epostedge_health_serving", "1 when the node stores and serves mail (not booting, not failed).", report.Serving ? 1 : 0);
        text.Gauge("epostedge_health_reasons", "Conditions that hold now (reasons shown on the page).", report.Reasons.Count);
        if (view.Uptime is { } uptime)
        {
            text.Gauge("epostedge_uptime_seconds", "Seconds since the node started.", Math.Round(uptime.TotalSeconds, 3));
        }

        Optional(text, "epostedge_store_blocks", "Blocks in the local store.", status.Blocks);
        Optional(text, "epostedge_store_used_bytes", "Bytes the local store uses (journal segments and index).", status.UsedBytes);
        Optional(text, "epostedge_store_quota_bytes", "The local store's quota in bytes (absent when unlimited).", status.QuotaBytes);
        Optional(text, "epostedge_store_journal_sequence", "Sequence number of the last journal record.", status.JournalSequence);

        if (status.Mail is { } mail)
        {
            text.Gauge("epostedge_mail_users", "Mail users on this node.", mail.Users);
            text.Gauge("epostedge_mail_messages", "Messages in all folders of all users.", mail.Messages);
            text.Gauge("epostedge_mail_outbound_queue", "Messages waiting to be sent on.", mail.OutboundQueue);
        }

        text.Family("epostedge_listening", "gauge", "A bound mail port (value always 1).");
        foreach (var port in status.Listening)
        {
            text.Sample(1, ("protocol", port.Protocol), ("address", port.Address), ("port", port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("tls", port.ImplicitTls ? "implicit" : "starttls"));
        }

        if (status.Overlay?.Live is { } live)
        {
            text.Gauge("epostedge_overlay_joined", "1 when the node has joined its overlay.", live.Joined ? 1 : 0);
            text.Gauge("epostedge_overlay_leaves", "Distinct nodes in the leaf set.", view.Leaves.Count);
            text.Family("epostedge_overlay_leaf_rtt_seconds", "gauge", "Smoothed round-trip time to each leaf-set member (RFC 6298 estimator).");
            foreach (var leaf in view.Leaves)
            {
                if (leaf.RoundTrip is { } rtt)
                {
                    text.Sample(rtt.TotalSeconds, ("node", leaf.Node.Id.ToString()));
                }
            }

            text.Gauge("epostedge_overlay_routing_table_entries", "Entries in the Pastry routing table.", live.RoutingTable.Count);
            text.Gauge("epostedge_overlay_recently_dead", "Recently dead nodes still probed to heal partitions.", live.RecentlyDead);
            foreach (var (name, help, value) in OverlayCounterFamilies)
            {
                text.Family($"epostedge_overlay_{name}_total", "counter", help).Sample(value(live.Counters));
            }
        }

        if (status.Durability is { } durability)
        {
            text.Gauge("epostedge_durability_objects", "Objects this node owns in the distributed store.", durability.Objects);
            text.Gauge("epostedge_durability_objects_below_full", "Owned objects below full redundancy (k replicas and Glacier fragments).", durability.BelowFullRedundancy);
            text.Gauge("epostedge_durability_held_items", "Replicas, fragments and pointers held for the overlay.", durability.HeldItems);
            text.Gauge("epostedge_durability_held_replicas", "Replicas held for the overlay.", durability.HeldReplicas);
            text.Gauge("epostedge_durability_held_bytes", "Bytes held for the overlay.", durability.HeldBytes);
            text.Gauge("epostedge_durability_contributed_bytes", "Bytes contributed to the overlay (Overlay:ContributedQuota).", durability.ContributedBytes);
            text.Gauge("epostedge_durability_epoch", "This node's lease epoch.", durability.Epoch);
        }

        Optional(text, "epostedge_process_resident_bytes", "Resident set size of the node process.", view.ResidentBytes);
        Optional(text, "epostedge_process_managed_heap_bytes", "Managed heap in use after the last GC.", status.ManagedHeapBytes);
        Optional(text, "epostedge_process_gc_committed_bytes", "Memory the GC has committed from the OS.", status.GcCommittedBytes);
        Optional(text, "epostedge_process_threadpool_threads", "Thread-pool threads.", status.Threads);
        if (status.Budget is { } budget)
        {
            text.Gauge("epostedge_process_resident_peak_bytes", "Highest resident set since start.", budget.PeakRssBytes);
            Optional(text, "epostedge_process_memory_budget_bytes", "The hw-profile's memory budget (absent when unlimited).", budget.MemoryBudgetBytes);
            text.Gauge("epostedge_budget_memory_shedding", "1 while memory is near its budget and new sessions are refused.", budget.MemoryShedding ? 1 : 0);
            text.Gauge("epostedge_budget_disk_near_full", "1 while the store is near its quota and new mail and replicas are refused.", budget.DiskNearFull ? 1 : 0);
        }

        text.Family("epostedge_log_messages_total", "counter", "Warnings and errors logged since start.")
            .Sample(view.Warnings, ("level", "warning"))
            .Sample(view.Errors, ("level", "error"));
        return text.ToString();
    }

    private static void Optional(PrometheusText text, string name, string help, long? value)
    {
        if (value is { } v)
        {
            text.Gauge(name, help, v);
        }
    }
}
