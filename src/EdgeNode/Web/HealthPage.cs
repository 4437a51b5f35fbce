using System.Globalization;
using System.Net;
using System.Text;
using EPostEdge.EdgeNode.Health;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// <c>/</c>: one self-contained HTML page of the node's state for a person, on a phone or a
/// desktop: the condition in big letters, then one card per part of the node. No script: it
/// reloads itself (meta refresh) every health period. Every figure carries its exact value in a
/// <c>data-v</c> attribute under a <c>data-k</c> name (the status.json key), which the browser
/// test compares with status.json.
/// </summary>
public static class HealthPage
{
    /// <summary>The cards, in page order. A new part of the node (NAT, …) is one more method and one more entry.</summary>
    private static readonly Action<StringBuilder, HealthView>[] Sections =
    [
        Overlay,
        Redundancy,
        Disk,
        Memory,
        Mail,
        Ports,
        Nat,
        RecentLog,
    ];

    /// <summary>The page for <paramref name="view"/>.</summary>
    public static string Render(HealthView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var report = view.Report;
        var condition = ConditionNames.Of(report.Condition);
        var html = new StringBuilder(16 * 1024);
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{Math.Max(2, view.RefreshSeconds)}\">")
            .Append("<link rel=\"icon\" href=\"data:,\">")
            .Append("<title>").Append(Encode(Title(report.Condition))).Append(" · EPostEdge</title>")
            .Append("<style>").Append(HealthPageStyle.Css).Append("</style></head>\n<body>\n");

        html.Append("<header class=\"c-").Append(condition).Append("\">");
        var id = report.Status.Overlay?.Node.ToString();
        html.Append("<div class=\"who\">EPostEdge node ");
        if (id is null)
        {
            html.Append("(no overlay identity yet)");
        }
        else
        {
            html.Append("<code data-k=\"overlay.nodeId\" data-v=\"").Append(id).Append("\">").Append(id).Append("</code>");
        }

        html.Append("</div>");
        html.Append("<h1 data-k=\"condition\" data-v=\"").Append(condition).Append("\">").Append(Encode(Title(report.Condition))).Append("</h1>");
        if (report.Reasons.Count == 0)
        {
            html.Append("<p>Everything works: store open, neighbours answer, every object fully redundant.</p>");
        }
        else
        {
            html.Append("<ul>");
            foreach (var reason in report.Reasons)
            {
                html.Append("<li>").Append(Encode(reason)).Append("</li>");
            }

            html.Append("</ul>");
        }

        html.Append("<p class=\"meta\">");
        if (view.Uptime is { } uptime)
        {
            html.Append("up <span data-k=\"uptimeSeconds\" data-v=\"").Append(Number((long)uptime.TotalSeconds)).Append("\">").Append(Figures.Duration(uptime)).Append("</span> · ");
        }

        html.Append("version ").Append(Encode(view.Version)).Append(" · checked ").Append(Figures.Time(report.At)).Append("</p></header>\n<main>\n");
        foreach (var section in Sections)
        {
            section(html, view);
        }

        html.Append("</main>\n<footer>Reloads every ").Append(Number(Math.Max(2, view.RefreshSeconds))).Append(" s · <a href=\"/health\">/health</a> · <a href=\"/metrics\">/metrics</a></footer>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>The condition as the page's heading says it.</summary>
    public static string Title(NodeCondition condition) => condition switch
    {
        NodeCondition.NearBudget => "Near budget",
        _ => string.Concat(ConditionNames.Of(condition)[..1].ToUpperInvariant(), ConditionNames.Of(condition)[1..]),
    };

    private static void Overlay(StringBuilder html, HealthView view)
    {
        Open(html, "overlay", "Overlay neighbours");
        if (view.Report.Status.Overlay is not { } overlay)
        {
            html.Append("<p class=\"muted\">This node has no overlay yet: <code>epost-edge overlay create</code> or <code>join</code>.</p>");
            Close(html);
            return;
        }

        var live = overlay.Live;
        html.Append("<dl>");
        Row(html, "Reached at", Encode(overlay.EndPoint.ToString()));
        Row(html, "Joined", live is { Joined: true } ? "<span class=\"ok\">yes</span>" : "<span class=\"warn\">no</span>");
        Figure(html, "Leaf set", "overlay.leaves", view.Leaves.Count, Number(view.Leaves.Count));
        Figure(html, "Routing table", "overlay.routingTable.total", live?.RoutingTable.Count ?? 0, Number(live?.RoutingTable.Count ?? 0));
        Figure(html, "Recently dead", "overlay.recentlyDead", live?.RecentlyDead ?? 0, Number(live?.RecentlyDead ?? 0));
        html.Append("</dl>");
        if (view.Leaves.Count == 0)
        {
            html.Append("<p class=\"warn\">No neighbour in the leaf set.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table><thead><tr><th>Node</th><th>Address</th><th class=\"n\">RTT</th><th>State</th></tr></thead><tbody>");
            foreach (var leaf in view.Leaves)
            {
                var leafId = leaf.Node.Id.ToString();
                html.Append("<tr data-k=\"overlay.leafSet\" data-v=\"").Append(leafId).Append("\"><td><code title=\"").Append(leafId).Append("\">").Append(leafId[..8]).Append("…</code></td>")
                    .Append("<td>").Append(Encode(leaf.Node.EndPoint.ToString())).Append("</td>")
                    .Append("<td class=\"n\">").Append(leaf.RoundTrip is { } rtt ? Figures.Milliseconds(rtt) : "–").Append("</td><td>");
                if (leaf.Relay is { } relay)
                {
                    html.Append("<span class=\"warn\">via ").Append(relay.Id.ToString()[..8]).Append("…</span>");
                }
                else if (leaf.FailedRounds > 0)
                {
                    html.Append("<span class=\"warn\">").Append(Number(leaf.FailedRounds)).Append(" missed</span>");
                }
                else
                {
                    html.Append("<span class=\"ok\">answers</span>");
                }

                html.Append("</td></tr>");
            }

            html.Append("</tbody></table></div>");
        }

        Close(html);
    }

    private static void Redundancy(StringBuilder html, HealthView view)
    {
        Open(html, "redundancy", "Redundancy");
        if (view.Report.Status.Durability is not { } d)
        {
            html.Append("<p class=\"muted\">The distributed store runs with the overlay.</p>");
            Close(html);
            return;
        }

        html.Append("<dl>");
        Figure(html, "Objects owned", "durability.objects", d.Objects, Number(d.Objects));
        Figure(html, "Below full redundancy", "durability.belowFullRedundancy", d.BelowFullRedundancy, d.BelowFullRedundancy > 0 ? $"<span class=\"warn\">{Number(d.BelowFullRedundancy)}</span>" : "0");
        Figure(html, "Held for others", "durability.heldItems", d.HeldItems, Number(d.HeldItems) + " items");
        Figure(html, "of which replicas", "durability.heldReplicas", d.HeldReplicas, Number(d.HeldReplicas));
        Figure(html, "Held bytes", "durability.heldBytes", d.HeldBytes, Figures.Bytes(d.HeldBytes));
        Figure(html, "Contributed", "durability.contributedBytes", d.ContributedBytes, Figures.Bytes(d.ContributedBytes));
        html.Append("</dl>");
        Bar(html, Figures.Share(d.HeldBytes, d.ContributedBytes));
        Close(html);
    }

    private static void Disk(StringBuilder html, HealthView view)
    {
        var status = view.Report.Status;
        Open(html, "disk", "Disk");
        html.Append("<dl>");
        if (status.UsedBytes is { } used)
        {
            Figure(html, "Store used", "store.usedBytes", used, Figures.Bytes(used));
        }

        if (status.QuotaBytes is { } quota)
        {
            Figure(html, "Quota", "store.quotaBytes", quota, Figures.Bytes(quota));
        }
        else
        {
            Row(html, "Quota", "unlimited");
        }

        if (status.Blocks is { } blocks)
        {
            Figure(html, "Blocks", "store.blocks", blocks, Number(blocks));
        }

        if (status.Budget is { DiskNearFull: true })
        {
            Row(html, "State", "<span class=\"bad\">near full: new mail and replicas refused</span>");
        }

        html.Append("</dl>");
        if (status is { UsedBytes: { } u, QuotaBytes: { } q })
        {
            Bar(html, Figures.Share(u, q));
        }

        Close(html);
    }

    private static void Memory(StringBuilder html, HealthView view)
    {
        var status = view.Report.Status;
        var budget = status.Budget;
        Open(html, "memory", "Memory");
        html.Append("<dl>");
        if (view.ResidentBytes is { } rss)
        {
            Figure(html, "Resident (RSS)", "process.residentBytes", rss, Figures.Bytes(rss));
        }

        if (budget?.MemoryBudgetBytes is { } limit)
        {
            Figure(html, "Budget", "budget.memoryBudgetBytes", limit, Figures.Bytes(limit) + (budget.Profile is { } p ? $" ({Encode(p)})" : string.Empty));
        }
        else
        {
            Row(html, "Budget", "none");
        }

        if (budget is not null)
        {
            Figure(html, "Peak resident", "budget.peakRssBytes", budget.PeakRssBytes, Figures.Bytes(budget.PeakRssBytes));
        }

        if (status.ManagedHeapBytes is { } heap)
        {
            Figure(html, "Managed heap", "process.managedHeapBytes", heap, Figures.Bytes(heap));
        }

        if (status.GcCommittedBytes is { } committed)
        {
            Figure(html, "GC committed", "process.gcCommittedBytes", committed, Figures.Bytes(committed));
        }

        if (status.Threads is { } threads)
        {
            Figure(html, "Pool threads", "process.threads", threads, Number(threads));
        }

        if (budget is { MemoryShedding: true })
        {
            Row(html, "State", "<span class=\"bad\">near budget: new sessions refused</span>");
        }

        html.Append("</dl>");
        if (view.ResidentBytes is { } resident && budget?.MemoryBudgetBytes is { } whole)
        {
            Bar(html, Figures.Share(resident, whole));
        }

        Close(html);
    }

    private static void Mail(StringBuilder html, HealthView view)
    {
        Open(html, "mail", "Mail");
        if (view.Report.Status.Mail is not { } mail)
        {
            html.Append("<p class=\"muted\">The mail store is not open.</p>");
            Close(html);
            return;
        }

        html.Append("<dl>");
        Figure(html, "Users", "mail.users", mail.Users, Number(mail.Users));
        Figure(html, "Messages", "mail.messages", mail.Messages, Number(mail.Messages));
        Figure(html, "Outbound queue", "mail.outboundQueue", mail.OutboundQueue, Number(mail.OutboundQueue));
        html.Append("</dl>");
        Close(html);
    }

    private static void Ports(StringBuilder html, HealthView view)
    {
        var status = view.Report.Status;
        Open(html, "ports", "Listening");
        html.Append("<div class=\"scroll\"><table><thead><tr><th>Service</th><th>Address</th><th>TLS</th></tr></thead><tbody>");
        foreach (var port in status.Listening)
        {
            var address = new IPEndPoint(IPAddress.TryParse(port.Address, out var a) ? a : IPAddress.None, port.Port).ToString();
            html.Append("<tr data-k=\"listening\" data-v=\"").Append(Number(port.Port)).Append("\"><td>").Append(Encode(port.Protocol)).Append("</td><td>")
                .Append(Encode(address)).Append("</td><td>").Append(port.ImplicitTls ? "implicit" : "STARTTLS").Append("</td></tr>");
        }

        if (status.Overlay is { } overlay)
        {
            html.Append("<tr><td>overlay</td><td>").Append(Encode(overlay.EndPoint.ToString())).Append("</td><td>UDP+TCP</td></tr>");
        }

        if (view.WebEndPoint is { } web)
        {
            html.Append("<tr><td>this page</td><td>").Append(Encode(web)).Append("</td><td>HTTP</td></tr>");
        }

        html.Append("</tbody></table></div>");
        if (status.Listening.Count == 0)
        {
            html.Append("<p class=\"muted\">Mail ports are off.</p>");
        }

        Close(html);
    }

    private static void RecentLog(StringBuilder html, HealthView view)
    {
        Open(html, "log", "Last errors");
        html.Append("<p class=\"muted\">").Append(Number(view.Warnings)).Append(" warnings, ").Append(Number(view.Errors)).Append(" errors since start.</p>");
        if (view.RecentLog.Count > 0)
        {
            html.Append("<ol class=\"log\">");
            foreach (var line in view.RecentLog)
            {
                var level = line.Level == LogLevel.Warning ? "warn" : "bad";
                html.Append("<li><span class=\"").Append(level).Append("\">").Append(line.Level == LogLevel.Warning ? "warning" : "error").Append("</span> <span class=\"muted\">")
                    .Append(Figures.Time(line.At)).Append(" · ").Append(Encode(ShortCategory(line.Category))).Append("</span><br>").Append(Encode(line.Message)).Append("</li>");
            }

            html.Append("</ol>");
        }

        Close(html);
    }

    /// <summary>The router's port mapping (README "NAT"): where peers on the Internet reach this node.</summary>
    private static void Nat(StringBuilder html, HealthView view)
    {
        if (view.Report.Status.Nat is not { } nat)
        {
            return; // mapping off (a LAN-only or single-machine node): no card
        }

        Open(html, "nat", "Router (NAT)");
        html.Append("<dl>");
        Row(html, "State", nat.State == EdgeNode.Nat.NatState.Mapped ? "<span class=\"ok\">mapped</span>" : $"<span class=\"warn\">{Encode(nat.State.ToString().ToLowerInvariant())}</span>");
        if (nat.Protocol is { } protocol)
        {
            Row(html, "Protocol", Encode(EdgeNode.Nat.NatStatus.Name(protocol)));
        }

        if (nat.Gateway is { } gateway)
        {
            Row(html, "Router", Encode(gateway.ToString()));
        }

        if (nat.ExternalEndPoint is { } external)
        {
            html.Append("<dt>Reached from the Internet at</dt><dd data-k=\"nat.externalEndPoint\" data-v=\"").Append(Encode(external.ToString())).Append("\">").Append(Encode(external.ToString())).Append("</dd>");
        }

        if (nat.LeaseExpires is { } expires)
        {
            Row(html, "Lease until", Figures.Time(expires));
        }

        if (nat.LastError is { } error)
        {
            Row(html, "Last error", $"<span class=\"warn\">{Encode(error)}</span>");
        }

        html.Append("</dl>");
        Close(html);
    }

    private static void Open(StringBuilder html, string id, string title) =>
        html.Append("<section id=\"").Append(id).Append("\"><h2>").Append(Encode(title)).Append("</h2>");

    private static void Close(StringBuilder html) => html.Append("</section>\n");

    private static void Row(StringBuilder html, string name, string valueHtml) =>
        html.Append("<dt>").Append(Encode(name)).Append("</dt><dd>").Append(valueHtml).Append("</dd>");

    private static void Figure(StringBuilder html, string name, string key, long value, string shownHtml) =>
        html.Append("<dt>").Append(Encode(name)).Append("</dt><dd data-k=\"").Append(key).Append("\" data-v=\"").Append(Number(value)).Append("\">").Append(shownHtml).Append("</dd>");

    private static void Bar(StringBuilder html, double share)
    {
        var level = share >= 0.9 ? " bad" : share >= 0.75 ? " warn" : string.Empty;
        html.Append("<div class=\"bar").Append(level).Append("\"><i style=\"width:").Append((share * 100).ToString("0.#", CultureInfo.InvariantCulture)).Append("%\"></i></div>");
    }

    private static string ShortCategory(string category) => category[(category.LastIndexOf('.') + 1)..];

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
