namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// One timed fault of a scenario (issue 5 item 4), from <see cref="At"/> for <see cref="Length"/>,
/// both counted from the end of the join phase; a fault still on when the measured window ends is
/// lifted then, so the settle check always runs on a whole network.
/// </summary>
public sealed record ScenarioFault
{
    public FaultKind Kind { get; set; }

    public TimeSpan At { get; set; }

    public TimeSpan Length { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many nodes the fault picks (hang, slow, clockJump, swizzleClog) when <see cref="Fraction"/> is 0.</summary>
    public int Count { get; set; } = 1;

    /// <summary>Share of the nodes the fault picks instead of <see cref="Count"/> (required for asymmetricPartition: the cut-off side).</summary>
    public double Fraction { get; set; }

    /// <summary>Latency multiplier of a slow node (issue 5: ×100).</summary>
    public double Factor { get; set; } = 100;

    /// <summary>Largest wall-clock jump, either way (ePOST §6 met a clock two years off).</summary>
    public TimeSpan MaximumJump { get; set; } = TimeSpan.FromDays(2 * 365);

    /// <summary>Asymmetric partition: longest the overlay may take to become one ring again after the cut ends.</summary>
    public TimeSpan HealLimit { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many of <paramref name="nodes"/> the fault picks.</summary>
    public int NodesPicked(int nodes) => Fraction > 0 ? (int)Math.Round(nodes * Fraction) : Math.Min(Count, nodes);

    /// <summary>The first field out of range, named as in JSON (<c>faults[i].field</c>), or null.</summary>
    internal string? Check(int index)
    {
        var name = $"faults[{index}]";
        if (!Enum.IsDefined(Kind))
        {
            return $"{name}.kind is not a fault kind";
        }

        if (At < TimeSpan.Zero)
        {
            return $"{name}.at must not be negative";
        }

        if (Length < TimeSpan.Zero || (Length == TimeSpan.Zero && Kind != FaultKind.ClockJump))
        {
            return $"{name}.length must be positive (zero only for clockJump: all jumps at 'at')";
        }

        if (Kind == FaultKind.AsymmetricPartition ? Fraction is <= 0 or >= 1 : Fraction is < 0 or > 1)
        {
            return Kind == FaultKind.AsymmetricPartition ? $"{name}.fraction must be in (0, 1) for asymmetricPartition" : $"{name}.fraction must be in [0, 1]";
        }

        if (Fraction == 0 && Count < 1)
        {
            return $"{name}.count must be at least 1 (or set fraction)";
        }

        if (Kind == FaultKind.Slow && !(Factor >= 1))
        {
            return $"{name}.factor must be at least 1";
        }

        if (Kind == FaultKind.ClockJump && MaximumJump < TimeSpan.Zero)
        {
            return $"{name}.maximumJump must not be negative";
        }

        return Kind == FaultKind.AsymmetricPartition && HealLimit <= TimeSpan.Zero ? $"{name}.healLimit must be positive" : null;
    }
}
