namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>What a <see cref="ScenarioFault"/> does (issue 5 items 2 and 4).</summary>
public enum FaultKind
{
    /// <summary>Nodes stop (alive but silent): timers wait, frames to them wait in a bounded receive buffer.</summary>
    Hang,

    /// <summary>Every frame to or from the nodes takes <see cref="ScenarioFault.Factor"/> times its latency.</summary>
    Slow,

    /// <summary>Each node's wall clock jumps by up to ±<see cref="ScenarioFault.MaximumJump"/> at a random moment of the window.</summary>
    ClockJump,

    /// <summary>FoundationDB's swizzle-clog: nodes are clogged one by one at random moments, then unclogged one by one in random order.</summary>
    SwizzleClog,

    /// <summary>Frames from a random <see cref="ScenarioFault.Fraction"/> of the nodes to the rest are lost; the other way works (A→B only).</summary>
    AsymmetricPartition,
}
