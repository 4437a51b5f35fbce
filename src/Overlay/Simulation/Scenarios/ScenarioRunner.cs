using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// Runs a <see cref="SimulationScenario"/> on a <see cref="SimulatedOverlay"/> (issue 5 items 4–7):
/// a join phase, then the measured window with the scenario's lookups and faults, then a settle
/// check. Every draw comes from a source derived from the seed and is made inside scheduler
/// events, so a run is a pure function of (code, seed, scenario).
/// Checkers: routing consistency (the overlay's; lookups delivered while a partition or a mass
/// failure is being repaired are excused), partition heal within its limit, and exact leaf sets
/// after the faults stop. With <c>stopAtViolation</c> the run stops inside the event that made a
/// checker fail (issue 5 item 6), so the virtual time of the stop is the violation's, and the same
/// seed and scenario stop there again.
/// </summary>
public static partial class ScenarioRunner
{
    /// <summary>Trace lines printed with a violation that names no nodes (the run's last events).</summary>
    public const int TraceLines = 30;

    /// <summary>Most frames in a minimal trace (the notes about the violation's nodes and a lookup's path come besides).</summary>
    public const int MinimalTraceLines = 40;

    /// <summary>How far back before the violation (or the lookup's routing) a minimal trace looks.</summary>
    public static readonly TimeSpan MinimalTraceWindow = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MinimumSettle = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs <paramref name="scenario"/> from <paramref name="seed"/>, optionally with another node
    /// count or duration; with <paramref name="stopAtViolation"/> the run ends at the first violation
    /// (<see cref="ScenarioResult.StoppedAt"/>), otherwise it goes on and records them all.
    /// <paramref name="extensions"/> (layers above the overlay, such as Storage's disks) ride along.
    /// </summary>
    public static ScenarioResult Run(SimulationScenario scenario, ulong seed, int? nodes = null, TimeSpan? duration = null, bool stopAtViolation = false, IReadOnlyList<IScenarioExtension>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        scenario = scenario with { Nodes = nodes ?? scenario.Nodes, Duration = duration ?? scenario.Duration };
        scenario.Validate();
        var run = new ScenarioRun(scenario, seed, stopAtViolation, extensions ?? []);
        return run.Execute();
    }

    /// <summary>One run's state: the overlay, the scenario's own random source, and the checkers' bookkeeping.</summary>
    private sealed partial class ScenarioRun(SimulationScenario scenario, ulong seed, bool stopAtViolation, IReadOnlyList<IScenarioExtension> extensions)
    {
        private readonly List<string> _violations = [];
        private readonly List<Excuse> _excuses = [];
        private readonly HashSet<int> _churnedDead = [];
        private readonly HashSet<int> _failedForever = [];
        private SimulatedOverlay _overlay = null!;
        private SeededRandomSource _random = null!;
        private TimeSpan _end;
        private bool _liftPartitionAtWindowEnd;
        private Disruption? _disruption;
        private TimeSpan? _healTime;
        private int _kills;
        private int _restarts;
        private long _plannedLookups;
        private int _inconsistentCounted;
        private string? _firstInconsistent;
        private bool _consistencyReported;
        private TimeSpan? _stoppedAt;

        /// <summary>True once a violation stopped the run: every phase ends and the result is returned as it stands.</summary>
        private bool Stopped => _stoppedAt is not null;

        public ScenarioResult Execute()
        {
            var n = scenario.Nodes;
            // Spread the joins over about 100 s (1 s apart for small runs, 10 ms for the largest).
            var joinInterval = TimeSpan.FromTicks(Math.Clamp(TimeSpan.FromSeconds(100).Ticks / n, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.TicksPerSecond));
            using var overlay = SimulatedOverlay.Create(seed, n, network: scenario.Network?.ToOptions(), joinInterval: joinInterval);
            _overlay = overlay;
            overlay.LookupInconsistent = OnInconsistentLookup;
            overlay.MisdeliverLookup = scenario.MisdeliverLookup;
            // A source of the scenario's own, derived from the seed, so adding a fault does not
            // shift the overlay's draws (ids, topology, lookups) for the same seed.
            _random = new SeededRandomSource(seed ^ 0x5CE7_A710_5CE7_A710UL);
            SkewClocks();
            AttachExtensions();

            overlay.RunFor((joinInterval * n) + TimeSpan.FromMinutes(1));
            if (overlay.RunUntil(() => Stopped || overlay.AllJoined, TimeSpan.FromMinutes(2), Poll) is null)
            {
                Violation($"not every node joined within {(joinInterval * n) + TimeSpan.FromMinutes(3)}", UnjoinedNodes());
            }

            if (Stopped)
            {
                return Result(null);
            }

            var start = overlay.Scheduler.Now;
            _end = start + scenario.Duration;
            overlay.StartMaintenanceWindow();
            _plannedLookups = (long)Math.Round(scenario.LookupsPerSecond * scenario.Duration.TotalSeconds);
            overlay.IssueLookups((int)_plannedLookups, scenario.Duration);
            BlockNonTransitivePairs();
            ScheduleChurn();
            SchedulePartition();
            ScheduleCorrelatedFailure();
            ScheduleFaults();
            foreach (var extension in extensions)
            {
                extension.OnWindowStart(_end);
            }

            while (!Stopped && overlay.Scheduler.Now < _end)
            {
                var step = _end - overlay.Scheduler.Now;
                overlay.RunFor(step < Poll ? step : Poll);
                if (!Stopped)
                {
                    CheckDisruption();
                }
            }

            overlay.EndMaintenanceWindow();
            if (_liftPartitionAtWindowEnd)
            {
                // The excuse stays open: lookups still in flight may land before the rings merge.
                overlay.Network.Heal();
            }

            if (!Stopped && _disruption is not null)
            {
                LeafSetViolation($"{_disruption.What} not repaired by the end of the run ({overlay.Scheduler.Now - _disruption.Started} after it)");
                CloseExcuse();
            }

            // Lookups issued in the window's last moments are still in flight: let them land
            // (a root-ack timeout and a retry) before measuring.
            overlay.RunFor(overlay.Options.RootAckTimeout * 2);
            if (Stopped)
            {
                return Result(null);
            }

            // The faults stop: churned nodes come back, and the leaf sets must become exact.
            foreach (var index in _churnedDead.Order().ToList())
            {
                _churnedDead.Remove(index); // so its pending off-time end does nothing
                overlay.Restart(index);
                _restarts++;
            }

            var limit = overlay.Options.RepairPeriod * 3 > MinimumSettle ? overlay.Options.RepairPeriod * 3 : MinimumSettle;
            var settle = overlay.RunUntil(() => Stopped || (overlay.AllJoined && overlay.LeafSetsCorrect(out _)), limit, Poll);
            if (Stopped)
            {
                return Result(null);
            }

            if (settle is null)
            {
                if (overlay.AllJoined)
                {
                    LeafSetViolation($"leaf sets not exact {limit} after the faults stopped");
                }
                else
                {
                    Violation($"leaf sets not exact {limit} after the faults stopped: not every live node rejoined: {Unjoined()}", UnjoinedNodes());
                }
            }

            foreach (var extension in extensions)
            {
                extension.Finish();
            }

            if (!Stopped)
            {
                CheckConsistency();
            }

            return Result(settle);
        }

        private ScenarioResult Result(TimeSpan? settle) => new()
        {
            Scenario = scenario,
            Metrics = _overlay.Metrics(),
            Violations = _violations,
            HealTime = _healTime,
            SettleTime = settle,
            Kills = _kills,
            Restarts = _restarts,
            StoppedAt = _stoppedAt,
            LookupsExcused = _overlay.LookupsExcused,
            ExtensionMetrics = ExtensionMetrics(),
        };

        private void AttachExtensions()
        {
            // Their own source, so an extension's draws never shift the overlay's or the faults'.
            var random = new SeededRandomSource(seed ^ 0xE87E_2510_0E87_E251UL);
            foreach (var extension in extensions)
            {
                var name = extension.Name;
                extension.Attach(_overlay, scenario, random.Fork(), what => Violation($"{name}: {what}"));
            }
        }

        private Dictionary<string, double> ExtensionMetrics()
        {
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var extension in extensions)
            {
                foreach (var (key, value) in extension.Metrics)
                {
                    metrics[key] = value;
                }
            }

            return metrics;
        }

        private void SkewClocks()
        {
            if (scenario.ClockSkew is not { } skew)
            {
                return;
            }

            foreach (var node in _overlay.Nodes)
            {
                node.Clock.Offset = TimeSpan.FromTicks((long)(skew.MaximumOffset.Ticks * ((2 * _random.NextDouble()) - 1)));
                node.Clock.Drift = skew.MaximumDrift * ((2 * _random.NextDouble()) - 1);
            }
        }

        /// <summary>Ring neighbours (each in the other's leaf set) are the pairs that matter: ePOST §6's relays.</summary>
        private void BlockNonTransitivePairs()
        {
            var ring = _overlay.Nodes.OrderBy(n => n.Id).ToList();
            var used = new HashSet<int>();
            for (var tries = 0; used.Count < 2 * scenario.NonTransitivePairs && tries < 100 * (scenario.NonTransitivePairs + 1); tries++)
            {
                var i = _random.NextInt32(ring.Count);
                var a = ring[i].Index;
                var b = ring[(i + 1) % ring.Count].Index;
                if (a != b && used.Add(a))
                {
                    if (!used.Add(b))
                    {
                        used.Remove(a);
                        continue;
                    }

                    _overlay.Network.BlockBothWays(a, b);
                }
            }
        }

        private void ScheduleChurn()
        {
            if (scenario.Churn is not { Model: not ChurnModel.None } churn)
            {
                return;
            }

            foreach (var node in _overlay.Nodes)
            {
                var index = node.Index;
                _overlay.Scheduler.Schedule(churn.Draw(churn.MedianSession, _random.NextDouble()), () => EndSession(churn, index));
            }
        }

        private void EndSession(ScenarioChurn churn, int index)
        {
            if (_overlay.Scheduler.Now >= _end || _failedForever.Contains(index) || !_overlay.Nodes[index].IsAlive)
            {
                return;
            }

            _overlay.Kill(index);
            _kills++;
            _churnedDead.Add(index);
            _overlay.Scheduler.Schedule(churn.Draw(churn.MedianOff, _random.NextDouble()), () =>
            {
                if (!_churnedDead.Remove(index) || _failedForever.Contains(index))
                {
                    return; // already restarted at the end of the run
                }

                _overlay.Restart(index);
                _restarts++;
                _overlay.Scheduler.Schedule(churn.Draw(churn.MedianSession, _random.NextDouble()), () => EndSession(churn, index));
            });
        }

        private void SchedulePartition()
        {
            if (scenario.Partition is not { } partition || partition.Start >= scenario.Duration)
            {
                return; // a split that would start after the window is skipped, as a timed fault is
            }

            _overlay.Scheduler.Schedule(partition.Start, () =>
            {
                var minority = Sample(_overlay.Nodes.Select(n => n.Index).ToList(), partition.Fraction);
                var majority = _overlay.Nodes.Select(n => n.Index).Except(minority).ToList();
                _overlay.Network.Partition(minority, majority, PartitionKind.Full);
                // Lookups inside a split reach the closest node of their side: excused until one ring again.
                OpenExcuse();
            });
            if (partition.Start + partition.Length >= scenario.Duration)
            {
                // Still split when the window ends (a shortened run): lifted then, with the other
                // faults, and the settle check wants exact leaf sets as after any fault.
                _liftPartitionAtWindowEnd = true;
                return;
            }

            _overlay.Scheduler.Schedule(partition.Start + partition.Length, () =>
            {
                _overlay.Network.Heal();
                _disruption = new Disruption("partition", _overlay.Scheduler.Now, partition.HealLimit, IsHeal: true);
            });
        }

        private void ScheduleCorrelatedFailure()
        {
            if (scenario.CorrelatedFailure is not { } failure)
            {
                return;
            }

            _overlay.Scheduler.Schedule(failure.At, () =>
            {
                var live = _overlay.Live.Select(n => n.Index).ToList();
                foreach (var index in Sample(live, failure.Fraction))
                {
                    _failedForever.Add(index);
                    _churnedDead.Remove(index);
                    _overlay.Kill(index);
                    _kills++;
                }

                _overlay.Trace.Note(_overlay.Scheduler.Now, $"correlated failure of {_failedForever.Count} nodes");
                OpenExcuse();
                var limit = _overlay.Options.RepairPeriod * 3 > MinimumSettle ? _overlay.Options.RepairPeriod * 3 : MinimumSettle;
                _disruption = new Disruption("correlated failure", _overlay.Scheduler.Now, limit, IsHeal: false);
            });
        }

        /// <summary>While a disruption is being repaired, polls for exact leaf sets (one ring) and records how long it took.</summary>
        private void CheckDisruption()
        {
            if (_disruption is not { } disruption)
            {
                return;
            }

            var took = _overlay.Scheduler.Now - disruption.Started;
            if (_overlay.LeafSetsCorrect(out var why))
            {
                if (disruption.IsHeal)
                {
                    _healTime = took;
                }

                _overlay.Trace.Note(_overlay.Scheduler.Now, $"{disruption.What} repaired after {took}");
                _disruption = null;
                CloseExcuse();
            }
            else if (took > disruption.Limit)
            {
                LeafSetViolation($"{disruption.What} not repaired within {disruption.Limit}");
                _disruption = null;
                CloseExcuse();
            }
        }

        private void OpenExcuse() => _excuses.Add(new Excuse(_overlay.Violations.Count, _overlay.LookupsDelivered));

        private void CloseExcuse()
        {
            if (_excuses.Count > 0 && _excuses[^1].ViolationsTo < 0)
            {
                _excuses[^1] = _excuses[^1] with { ViolationsTo = _overlay.Violations.Count, DeliveredTo = _overlay.LookupsDelivered };
            }
        }

        /// <summary>True while a partition or mass failure is being repaired: lookups delivered now are excused.</summary>
        private bool Excused => _excuses.Count > 0 && _excuses[^1].ViolationsTo < 0;

        /// <summary>
        /// The routing-consistency checker, inside the delivering event. Outside the excused windows,
        /// once the inconsistent lookups exceed the tolerance of all the lookups the window will issue,
        /// no later delivery can bring the share back within it: the violation is certain now.
        /// </summary>
        private void OnInconsistentLookup(InconsistentLookup lookup)
        {
            if (Excused)
            {
                return;
            }

            _inconsistentCounted++;
            var crossed = !_consistencyReported && _inconsistentCounted > (1 - scenario.MinimumConsistency) * _plannedLookups;
            if (_firstInconsistent is not null && !crossed)
            {
                return;
            }

            var report = $"{lookup.What}{Environment.NewLine}{MinimalTrace(lookup.Nodes, lookup.Path.Issued - MinimalTraceWindow, lookup.Path.Describe())}";
            _firstInconsistent ??= report;
            if (crossed)
            {
                _consistencyReported = true;
                Record(
                    $"{_inconsistentCounted} of at most {_plannedLookups} lookups (outside repairs) reached a node other than the live root, "
                    + $"above the scenario's {100 * (1 - scenario.MinimumConsistency):0.##} % tolerance; this one crossed it: {report}");
            }
        }

        /// <summary>After the run: inconsistent lookups outside the excused windows must stay within the scenario's tolerance of those delivered.</summary>
        private void CheckConsistency()
        {
            var delivered = _overlay.LookupsDelivered;
            foreach (var window in _excuses)
            {
                delivered -= (window.DeliveredTo < 0 ? _overlay.LookupsDelivered : window.DeliveredTo) - window.DeliveredFrom;
            }

            if (!_consistencyReported && _inconsistentCounted > (1 - scenario.MinimumConsistency) * delivered)
            {
                _consistencyReported = true;
                Record($"{_inconsistentCounted} of {delivered} lookups (outside repairs) reached a node other than the live root, "
                    + $"above the scenario's {100 * (1 - scenario.MinimumConsistency):0.##} % tolerance; the first: {_firstInconsistent}");
            }
        }

        private string Unjoined() => string.Join(", ", _overlay.Live.Where(n => !n.IsJoined).Take(10)
            .Select(n => $"node {n.Index} {n.Id.ToShortString()} (life {n.Lives} since {n.LifeStarted.TotalMilliseconds:F0} ms)"));

        private List<int> Sample(List<int> from, double fraction)
        {
            // Fisher–Yates on the run's source: the first ⌊fraction·n⌉ of a random permutation.
            var pool = from.ToList();
            var count = (int)Math.Round(pool.Count * fraction);
            for (var i = 0; i < count; i++)
            {
                var j = i + _random.NextInt32(pool.Count - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }

            return pool.GetRange(0, count);
        }

        private List<int> UnjoinedNodes() => [.. _overlay.Live.Where(n => !n.IsJoined).Take(10).Select(n => n.Index)];

        /// <summary>A leaf-set violation, with the minimal trace of the first wrong node and the members it misses or should not hold.</summary>
        private void LeafSetViolation(string what)
        {
            var fault = _overlay.FindLeafSetFault();
            Violation(fault is null ? what : $"{what}: {fault.Why}", fault is { Node: >= 0 } ? fault.Nodes : null);
        }

        /// <summary>
        /// Records a violation: the seed, the scenario, the virtual time and what failed, with a
        /// minimal trace — the events among <paramref name="nodes"/> (the run's last lines when none
        /// are named) — and stops the run there when asked to.
        /// </summary>
        private void Violation(string what, IReadOnlyCollection<int>? nodes = null)
        {
            if (Stopped)
            {
                return; // the run already stopped at an earlier one
            }

            string trace;
            if (nodes is { Count: > 0 })
            {
                trace = MinimalTrace(nodes, _overlay.Scheduler.Now - MinimalTraceWindow, []);
            }
            else
            {
                var recent = _overlay.Trace.Recent();
                trace = $"last trace:{Environment.NewLine}" + string.Join(Environment.NewLine, recent.Skip(Math.Max(0, recent.Count - TraceLines)));
            }

            Record($"{what}{Environment.NewLine}{trace}");
        }

        /// <summary>Records a violation whose text already carries its trace, and stops the run there when asked to.</summary>
        private void Record(string whatAndTrace)
        {
            if (Stopped)
            {
                return;
            }

            var now = _overlay.Scheduler.Now;
            _violations.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"seed {seed}, scenario {scenario.Name}, at {now.TotalSeconds:F3} s: {whatAndTrace}"));
            if (stopAtViolation)
            {
                _stoppedAt = now;
                _overlay.Scheduler.Stop();
            }
        }

        /// <summary>The events among <paramref name="nodes"/> since <paramref name="since"/>, after <paramref name="lead"/> (a lookup's path).</summary>
        private string MinimalTrace(IReadOnlyCollection<int> nodes, TimeSpan since, IReadOnlyList<string> lead)
        {
            since = since < TimeSpan.Zero ? TimeSpan.Zero : since;
            var lines = _overlay.Trace.Involving(nodes, since, MinimalTraceLines);
            var text = new System.Text.StringBuilder("minimal trace:");
            if (lead.Count > 0)
            {
                text.Append(Environment.NewLine).Append("the lookup's path:");
                foreach (var line in lead)
                {
                    text.Append(Environment.NewLine).Append(line);
                }
            }

            text.Append(Environment.NewLine).Append(System.Globalization.CultureInfo.InvariantCulture, $"the events among nodes {string.Join(", ", nodes)} since {since.TotalSeconds:F3} s:");
            foreach (var line in lines)
            {
                text.Append(Environment.NewLine).Append(line);
            }

            return text.ToString();
        }
    }

    private sealed record Disruption(string What, TimeSpan Started, TimeSpan Limit, bool IsHeal);

    /// <summary>A window of the overlay's violation list and delivered count that the checker excuses.</summary>
    private sealed record Excuse(int ViolationsFrom, long DeliveredFrom, int ViolationsTo = -1, long DeliveredTo = -1);
}
