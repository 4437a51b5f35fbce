using System.Text.Json;
using EPostEdge.EdgeNode.Health;
using EPostEdge.Storage.Past;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// The JSON form of <see cref="NodeStatus"/> (status.json and <c>status --json</c>; keys listed in
/// README). Utf8JsonWriter / JsonDocument by hand: no reflection serialization in the AOT node.
/// </summary>
public static class NodeStatusJson
{
    public static byte[] Render(NodeStatus status, bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            Write(json, status);
        }

        return buffer.ToArray();
    }

    public static void Write(Utf8JsonWriter json, NodeStatus status)
    {
        json.WriteStartObject();
        json.WriteBoolean("running", status.Running);
        json.WriteString("dataDirectory", status.DataDirectory);
        WriteNumber(json, "pid", status.Pid);
        WriteTime(json, "startedAt", status.StartedAt);
        WriteTime(json, "updatedAt", status.UpdatedAt);
        if (status.Health is { } health)
        {
            json.WriteStartObject("health");
            json.WriteString("condition", health.Name);
            json.WriteStartArray("reasons");
            foreach (var reason in health.Reasons)
            {
                json.WriteStringValue(reason);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("health");
        }

        json.WriteStartObject("store");
        WriteNumber(json, "blocks", status.Blocks);
        WriteNumber(json, "usedBytes", status.UsedBytes);
        WriteNumber(json, "quotaBytes", status.QuotaBytes);
        WriteNumber(json, "journalSequence", status.JournalSequence);
        json.WriteEndObject();
        WriteMail(json, status.Mail);

        WriteDurability(json, status.Durability);

        json.WriteStartObject("process");
        WriteNumber(json, "managedHeapBytes", status.ManagedHeapBytes);
        WriteNumber(json, "gcCommittedBytes", status.GcCommittedBytes);
        WriteNumber(json, "threads", status.Threads);
        json.WriteEndObject();
        if (status.Budget is { } budget)
        {
            json.WriteStartObject("budget");
            if (budget.Profile is { } profile)
            {
                json.WriteString("profile", profile);
            }
            else
            {
                json.WriteNull("profile");
            }

            WriteNumber(json, "memoryBudgetBytes", budget.MemoryBudgetBytes);
            json.WriteNumber("rssBytes", budget.RssBytes);
            json.WriteNumber("peakRssBytes", budget.PeakRssBytes);
            WriteNumber(json, "gcHeapLimitBytes", budget.GcHeapLimitBytes);
            json.WriteBoolean("memoryShedding", budget.MemoryShedding);
            json.WriteBoolean("diskNearFull", budget.DiskNearFull);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("budget");
        }

        json.WriteStartArray("listening");
        foreach (var port in status.Listening)
        {
            json.WriteStartObject();
            json.WriteString("protocol", port.Protocol);
            json.WriteString("address", port.Address);
            json.WriteNumber("port", port.Port);
            json.WriteBoolean("implicitTls", port.ImplicitTls);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (status.Overlay is { } overlay)
        {
            json.WritePropertyName("overlay");
            OverlayStatusJson.Write(json, overlay);
        }
        else
        {
            json.WriteNull("overlay");
        }

        if (status.Nat is { } nat)
        {
            json.WritePropertyName("nat");
            Nat.NatStatusJson.Write(json, nat);
        }
        else
        {
            json.WriteNull("nat");
        }

        json.WriteEndObject();
    }

    /// <summary>The "mail" object (null when the mail store is not open): also in <c>/health</c>.</summary>
    public static void WriteMail(Utf8JsonWriter json, MailStatus? mail)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (mail is { } m)
        {
            json.WriteStartObject("mail");
            json.WriteNumber("users", m.Users);
            json.WriteNumber("messages", m.Messages);
            json.WriteNumber("outboundQueue", m.OutboundQueue);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("mail");
        }
    }

    /// <summary>The "durability" object (null unless the overlay runs): also in <c>/health</c>.</summary>
    public static void WriteDurability(Utf8JsonWriter json, DurabilityReport? report)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (report is { } durability)
        {
            json.WriteStartObject("durability");
            json.WriteNumber("objects", durability.Objects);
            json.WriteNumber("belowFullRedundancy", durability.BelowFullRedundancy);
            json.WriteNumber("heldItems", durability.HeldItems);
            json.WriteNumber("heldReplicas", durability.HeldReplicas);
            json.WriteNumber("heldBytes", durability.HeldBytes);
            json.WriteNumber("contributedBytes", durability.ContributedBytes);
            json.WriteNumber("freeBytes", durability.FreeBytes);
            json.WriteNumber("epoch", durability.Epoch);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("durability");
        }
    }

    /// <exception cref="JsonException">Not a status document.</exception>
    public static NodeStatus Read(ReadOnlyMemory<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        var root = document.RootElement;
        var store = root.GetProperty("store");
        MailStatus? mail = null;
        if (root.TryGetProperty("mail", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            mail = new MailStatus(m.GetProperty("users").GetInt32(), m.GetProperty("messages").GetInt64(), m.GetProperty("outboundQueue").GetInt32());
        }

        DurabilityReport? durability = null;
        if (root.TryGetProperty("durability", out var d) && d.ValueKind == JsonValueKind.Object)
        {
            durability = new DurabilityReport(
                d.GetProperty("objects").GetInt32(),
                d.GetProperty("belowFullRedundancy").GetInt32(),
                d.GetProperty("heldItems").GetInt32(),
                d.GetProperty("heldBytes").GetInt64(),
                d.GetProperty("contributedBytes").GetInt64(),
                d.GetProperty("epoch").GetInt64(),
                d.TryGetProperty("heldReplicas", out var replicas) ? replicas.GetInt32() : 0);
        }

        HealthSummary? health = null;
        if (root.TryGetProperty("health", out var h) && h.ValueKind == JsonValueKind.Object && HealthSummary.TryParse(h.GetProperty("condition").GetString(), out var condition))
        {
            health = new HealthSummary(condition, h.GetProperty("reasons").EnumerateArray().Select(r => r.GetString() ?? string.Empty).ToList());
        }

        BudgetStatus? budget = null;
        if (root.TryGetProperty("budget", out var b) && b.ValueKind == JsonValueKind.Object)
        {
            budget = new BudgetStatus(
                b.TryGetProperty("profile", out var profile) && profile.ValueKind == JsonValueKind.String ? profile.GetString() : null,
                Long(b, "memoryBudgetBytes"),
                Long(b, "rssBytes") ?? 0,
                Long(b, "peakRssBytes") ?? 0,
                b.TryGetProperty("memoryShedding", out var shedding) && shedding.ValueKind == JsonValueKind.True,
                b.TryGetProperty("diskNearFull", out var nearFull) && nearFull.ValueKind == JsonValueKind.True)
            {
                GcHeapLimitBytes = Long(b, "gcHeapLimitBytes"),
            };
        }

        var listening = new List<ListeningPort>();
        if (root.TryGetProperty("listening", out var ports) && ports.ValueKind == JsonValueKind.Array)
        {
            foreach (var p in ports.EnumerateArray())
            {
                listening.Add(new ListeningPort(p.GetProperty("protocol").GetString()!, p.GetProperty("address").GetString()!, p.GetProperty("port").GetInt32(), p.GetProperty("implicitTls").GetBoolean()));
            }
        }

        return new NodeStatus
        {
            Running = root.GetProperty("running").GetBoolean(),
            DataDirectory = root.GetProperty("dataDirectory").GetString()!,
            Pid = Int(root, "pid"),
            StartedAt = Time(root, "startedAt"),
            UpdatedAt = Time(root, "updatedAt"),
            Health = health,
            Blocks = Int(store, "blocks"),
            UsedBytes = Long(store, "usedBytes"),
            QuotaBytes = Long(store, "quotaBytes"),
            JournalSequence = Long(store, "journalSequence"),
            Mail = mail,
            Durability = durability,
            Listening = listening,
            ManagedHeapBytes = root.TryGetProperty("process", out var process) ? Long(process, "managedHeapBytes") : null,
            GcCommittedBytes = root.TryGetProperty("process", out process) ? Long(process, "gcCommittedBytes") : null,
            Threads = root.TryGetProperty("process", out process) ? Int(process, "threads") : null,
            Budget = budget,
            Overlay = root.TryGetProperty("overlay", out var overlay) && overlay.ValueKind == JsonValueKind.Object ? OverlayStatusJson.Read(overlay) : null,
            Nat = root.TryGetProperty("nat", out var nat) && nat.ValueKind == JsonValueKind.Object ? Nat.NatStatusJson.Read(nat) : null,
        };
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
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

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            json.WriteString(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    private static long? Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static DateTimeOffset? Time(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetDateTimeOffset() : null;
}
