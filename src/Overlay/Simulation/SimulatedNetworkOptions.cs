namespace EPostEdge.Overlay.Simulation;

/// <summary>The simulated network's fault rates, latency range, bandwidth and buffers (issue 5 item 2).</summary>
public sealed record SimulatedNetworkOptions
{
    /// <summary>One-way latency between the two nearest points (FreePastry's direct simulator: 2 ms).</summary>
    public TimeSpan MinimumLatency { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>One-way latency across the unit square's diagonal.</summary>
    public TimeSpan MaximumLatency { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Probability that a frame is lost.</summary>
    public double LossRate { get; init; }

    /// <summary>Probability that a frame is delivered twice.</summary>
    public double DuplicationRate { get; init; }

    /// <summary>Probability that a frame gets an extra random delay (so later frames overtake it).</summary>
    public double ReorderRate { get; init; }

    /// <summary>Largest extra delay of a reordered frame.</summary>
    public TimeSpan MaximumExtraDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Each node's uplink in bytes/s; null is unlimited. A frame leaves only after the frames queued
    /// before it and its own serialization time, so a burst queues (a home DSL line's upstream).
    /// </summary>
    public long? UplinkBytesPerSecond { get; init; }

    /// <summary>Each node's downlink in bytes/s; null is unlimited.</summary>
    public long? DownlinkBytesPerSecond { get; init; }

    /// <summary>
    /// Bytes a hung or clogged node's receive buffer holds; later frames are lost, as with a full
    /// socket buffer (Linux's default net.core.rmem_default is 212 992).
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = 212_992;

    /// <summary>Bytes a hung or clogged node's send buffer holds (Linux's net.core.wmem_default).</summary>
    public int SendBufferBytes { get; init; } = 212_992;
}
