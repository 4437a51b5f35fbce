namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>A scenario's <c>network</c> section: the <see cref="SimulatedNetworkOptions"/> the whole run (join phase included) uses.</summary>
public sealed record ScenarioNetwork
{
    private static readonly SimulatedNetworkOptions Defaults = new();

    public double LossRate { get; set; }

    public double DuplicationRate { get; set; }

    public double ReorderRate { get; set; }

    public TimeSpan MinimumLatency { get; set; } = Defaults.MinimumLatency;

    public TimeSpan MaximumLatency { get; set; } = Defaults.MaximumLatency;

    public TimeSpan MaximumExtraDelay { get; set; } = Defaults.MaximumExtraDelay;

    /// <summary>Each node's uplink in bytes/s; null is unlimited.</summary>
    public long? UplinkBytesPerSecond { get; set; }

    /// <summary>Each node's downlink in bytes/s; null is unlimited.</summary>
    public long? DownlinkBytesPerSecond { get; set; }

    /// <summary>What a hung or clogged node's receive buffer holds before it drops frames.</summary>
    public int ReceiveBufferBytes { get; set; } = Defaults.ReceiveBufferBytes;

    /// <summary>What a hung or clogged node's send buffer holds before it drops frames.</summary>
    public int SendBufferBytes { get; set; } = Defaults.SendBufferBytes;

    /// <summary>The network options these settings describe.</summary>
    public SimulatedNetworkOptions ToOptions() => new()
    {
        LossRate = LossRate,
        DuplicationRate = DuplicationRate,
        ReorderRate = ReorderRate,
        MinimumLatency = MinimumLatency,
        MaximumLatency = MaximumLatency,
        MaximumExtraDelay = MaximumExtraDelay,
        UplinkBytesPerSecond = UplinkBytesPerSecond,
        DownlinkBytesPerSecond = DownlinkBytesPerSecond,
        ReceiveBufferBytes = ReceiveBufferBytes,
        SendBufferBytes = SendBufferBytes,
    };

    /// <summary>The first field out of range, named as in JSON, or null.</summary>
    internal string? Check()
    {
        static bool Rate(double p) => p is >= 0 and < 1;

        if (!Rate(LossRate) || !Rate(DuplicationRate) || !Rate(ReorderRate))
        {
            return "network.lossRate, duplicationRate and reorderRate must be in [0, 1)";
        }

        if (MinimumLatency < TimeSpan.Zero || MaximumLatency < MinimumLatency)
        {
            return "network.minimumLatency must not be negative nor above network.maximumLatency";
        }

        if (MaximumExtraDelay < TimeSpan.Zero)
        {
            return "network.maximumExtraDelay must not be negative";
        }

        if (UplinkBytesPerSecond <= 0 || DownlinkBytesPerSecond <= 0)
        {
            return "network.uplinkBytesPerSecond and downlinkBytesPerSecond must be positive (leave them out for unlimited)";
        }

        return ReceiveBufferBytes < 0 || SendBufferBytes < 0 ? "network.receiveBufferBytes and sendBufferBytes must not be negative" : null;
    }
}
