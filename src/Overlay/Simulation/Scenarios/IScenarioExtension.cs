using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// A layer above the overlay that rides along a <see cref="ScenarioRunner"/> run (issue 5 item 6:
/// "later storage invariants"). Dependencies point one way (Overlay ← Storage ← EdgeNode), so the
/// runner knows only this interface; Storage plugs its simulated disks and checkers in through it.
/// Every hook runs on the simulator's single thread, inside or between scheduler events.
/// </summary>
public interface IScenarioExtension
{
    /// <summary>Names the extension in violations and traces.</summary>
    string Name { get; }

    /// <summary>
    /// Called once, after the overlay is created and before anything runs.
    /// <paramref name="random"/> is the extension's own source, derived from the run's seed;
    /// <paramref name="violation"/> reports a checker failure into the run's violation list.
    /// </summary>
    void Attach(SimulatedOverlay overlay, SimulationScenario scenario, IRandomSource random, Action<string> violation);

    /// <summary>The measured window begins and ends at <paramref name="windowEnd"/>; workload may be scheduled now.</summary>
    void OnWindowStart(TimeSpan windowEnd);

    /// <summary>After the settle phase: the final checks.</summary>
    void Finish();

    /// <summary>Extra figures for <c>--json</c> (camelCase keys).</summary>
    IReadOnlyDictionary<string, double> Metrics { get; }
}
