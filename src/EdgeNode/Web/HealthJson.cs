using System.Text.Encodings.Web;
using System.Text.Json;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// <c>/health</c>: the condition, whether the node serves, why, and the key figures, for scripts
/// and the update rollback (keys in README "Web health page"). Utf8JsonWriter by hand: no
/// reflection serialization in the AOT node. Counts and ids only, no addresses: it is open to
/// the LAN even when the page has a password.
/// </summary>
public static class HealthJson
{
    /// <summary>The document for <paramref name="view"/>.</summary>
    public static byte[] Render(HealthView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        // Relaxed escaping (a '+' in the version stays a '+'): served as application/json, never inlined in HTML.
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(json, view);
        }

        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter json, HealthView view)
    {
        var report = view.Report;
        var status = report.Status;
        json.WriteStartObject();
        json.WriteString("condition", ConditionNames.Of(report.Condition));
        json.WriteBoolean("serving", report.Serving);
        json.WriteStartArray("reasons");
        foreach (var reason in report.Reasons)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
        json.WriteString("evaluatedAt", report.At);
        json.WriteString("version", view.Version);
        json.WriteString("nodeId", status.Overlay?.Node.ToString());
        Number(json, "pid", status.Pid);
        if (view.Uptime is { } uptime)
        {
            json.WriteNumber("uptimeSeconds", Math.Round(uptime.TotalSeconds, 1));
        }
        else
        {
            json.WriteNull("uptimeSeconds");
        }

        if (status.Overlay is { } overlay)
        {
            var live = overlay.Live;
            json.WriteStartObject("overlay");
            json.WriteBoolean("joined", live?.Joined ?? false);
            json.WriteNumber("leaves", view.Leaves.Count);
            json.WriteStartArray("leafSet");
            foreach (var leaf in view.Leaves)
            {
                json.WriteStringValue(leaf.Node.Id.ToString());
            }

            json.WriteEndArray();
            json.WriteNumber("routingTableEntries", live?.RoutingTable.Count ?? 0);
            json.WriteNumber("recentlyDead", live?.RecentlyDead ?? 0);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("overlay");
        }

        Hosting.NodeStatusJson.WriteDurability(json, status.Durability);

        json.WriteStartObject("store");
        Number(json, "blocks", status.Blocks);
        Number(json, "usedBytes", status.UsedBytes);
        Number(json, "quotaBytes", status.QuotaBytes);
        json.WriteEndObject();

        json.WriteStartObject("memory");
        Number(json, "residentBytes", view.ResidentBytes);
        Number(json, "budgetBytes", status.Budget?.MemoryBudgetBytes);
        Number(json, "managedHeapBytes", status.ManagedHeapBytes);
        json.WriteEndObject();

        Hosting.NodeStatusJson.WriteMail(json, status.Mail);

        if (status.Budget is { } budget)
        {
            json.WriteStartObject("budget");
            json.WriteString("profile", budget.Profile);
            json.WriteBoolean("memoryShedding", budget.MemoryShedding);
            json.WriteBoolean("diskNearFull", budget.DiskNearFull);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("budget");
        }

        json.WriteStartObject("log");
        json.WriteNumber("warnings", view.Warnings);
        json.WriteNumber("errors", view.Errors);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
