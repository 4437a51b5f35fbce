namespace EPostEdge.Storage.Past;

/// <summary>What a storage service did (simulator metrics, status page).</summary>
public sealed class PastCounters
{
    /// <summary>Messages that did not decode.</summary>
    public long Malformed { get; set; }

    /// <summary>Items refused or dropped because they failed their hash or signature.</summary>
    public long CorruptRejected { get; set; }

    /// <summary>Items pushed to a neighbour by replica maintenance.</summary>
    public long MaintenancePushes { get; set; }

    /// <summary>Surplus replicas and heads dropped once their whole replica set held them.</summary>
    public long Trimmed { get; set; }

    /// <summary>Objects a replica's root encoded into Glacier because their owner had not (it died first).</summary>
    public long StoodIn { get; set; }

    /// <summary>Fragments handed to a closer node.</summary>
    public long HandOffs { get; set; }

    /// <summary>Objects decoded from Glacier fragments (reads and restores).</summary>
    public long Decodes { get; set; }

    /// <summary>Fragments and replicas re-created by a Glacier audit or read.</summary>
    public long Restored { get; set; }

    /// <summary>Items collected because their lease ran out.</summary>
    public long Collected { get; set; }

    /// <summary>Stores refused for the contributed quota.</summary>
    public long QuotaRefusals { get; set; }

    /// <summary>Unexpected exceptions in a handler (a bug: the simulator reports them).</summary>
    public long Errors { get; set; }

    /// <summary>The last unexpected exception's text.</summary>
    public string? LastError { get; set; }
}
