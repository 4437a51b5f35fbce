using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// Runs a <see cref="SimulationScenario"/> on a <see cref="SimulatedOverlay"/> (issue 5 items 4–7):
/// a join phase, then the measured window with the scenario's lookups and faults, then a settle
/// check. Every draw comes from a source derived from the seed and is made inside scheduler
/// events, so a run is a pure function of (code, seed, scenario).
/// Checkers: routing consistency (the overlay's; lookups delivered while a partition or a mass
/// failure is being repaired are excused), partition heal within its limit, and exact leaf sets
/// after the faults stop.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Trace lines printed with a violation found by the runner itself.</summary>
    public const int TraceLines = 30;

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MinimumSettle = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs <paramref name="scenario"/> from <paramref name="seed"/>, optionally with another node count or duration,
    /// and with <paramref name="extensions"/> (layers above the overlay, such as Storage's disks) riding along.
    /// </summary>
    public static ScenarioResult Run(SimulationScenario scenario, ulong seed, int? nodes = null, TimeSpan? duration = null, IReadOnlyList<IScenarioExtension>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        scenario = scenario with { Nodes = nodes ?? scenario.Nodes, Duration = duration ?? scenario.Duration };
        scenario.Validate();
        var run = new ScenarioRun(scenario, seed, extensions ?? []);
        return run.Execute();
    }

    /// <summary>One run's state: the overlay, the scenario's own random source, and the checkers' bookkeeping.</summary>
    private sealed class ScenarioRun(SimulationScenario scenario, ulong seed, IReadOnlyList<IScenarioExtension> extensions)
    {
        private readonly List<string> _violations = [];
        private readonly List<Excuse> _excuses = [];
        private readonly HashSet<int> _churnedDead = [];
        private readonly HashSet<int> _failedForever = [];
        private SimulatedOverlay _overlay = null!;
        private SeededRandomSource _random = null!;
        private TimeSpan _end;
        private Disruption? _disruption;
        private TimeSpan? _healTime;
        private int _kills;
        private int _restarts;

        public ScenarioResult Execute()
        {
            var n = scenario.Nodes;
            // Spread the joins over about 100 s (1 s apart for small runs, 10 ms for the largest).
            var joinInterval = TimeSpan.FromTicks(Math.Clamp(TimeSpan.FromSeconds(100).Ticks / n, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.TicksPerSecond));
            using var overlay = SimulatedOverlay.Create(seed, n, joinInterval: joinInterval);
            _overlay = overlay;
            // A source of the scenario's own, derived from the seed, so adding a fault does not
            // shift the overlay's draws (ids, topology, lookups) for the same seed.
            _random = new SeededRandomSource(seed ^ 0x5CE7_A710_5CE7_A710UL);
            SkewClocks();
            AttachExtensions();

            overlay.RunFor((joinInterval * n) + TimeSpan.FromMinutes(1));
            if (overlay.RunUntil(() => overlay.AllJoined, TimeSpan.FromMinutes(2), Poll) is null)
            {
                Violation($"not every node joined within {(joinInterval * n) + TimeSpan.FromMinutes(3)}");
            }

            var start = overlay.Scheduler.Now;
            _end = start + scenario.Duration;
            overlay.IssueLookups((int)Math.Round(scenario.LookupsPerSecond * scenario.Duration.TotalSeconds), scenario.Duration);
            BlockNonTransitivePairs();
            ScheduleChurn();
            SchedulePartition();
            ScheduleCorrelatedFailure();
            foreach (var extension in extensions)
            {
                extension.OnWindowStart(_end);
            }

            while (overlay.Scheduler.Now < _end)
            {
                var step = _end - overlay.Scheduler.Now;
                overlay.RunFor(step < Poll ? step : Poll);
                CheckDisruption();
            }

            if (_disruption is not null)
            {
                Violation($"{_disruption.What} not repaired by the end of the run ({overlay.Scheduler.Now - _disruption.Started} after it)");
                CloseExcuse();
            }

            // Lookups issued in the window's last moments are still in flight: let them land
            // (a root-ack timeout and a retry) before measuring.
            overlay.RunFor(overlay.Options.RootAckTimeout * 2);

            // The faults stop: churned nodes come back, and the leaf sets must become exact.
            foreach (var index in _churnedDead.Order().ToList())
            {
                _churnedDead.Remove(index); // so its pending off-time end does nothing
                overlay.Restart(index);
                _restarts++;
            }

            var limit = overlay.Options.RepairPeriod * 3 > MinimumSettle ? overlay.Options.RepairPeriod * 3 : MinimumSettle;
            var settle = overlay.RunUntil(() => overlay.AllJoined && overlay.LeafSetsCorrect(out _), limit, Poll);
            if (settle is null)
            {
                overlay.LeafSetsCorrect(out var why);
                Violation($"leaf sets not exact {limit} after the faults stopped: {(overlay.AllJoined ? why : "not every live node rejoined: " + Unjoined())}");
            }

            foreach (var extension in extensions)
            {
                extension.Finish();
            }

            CheckConsistency();
            return new ScenarioResult
            {
                Scenario = scenario,
                Metrics = overlay.Metrics(),
                Violations = _violations,
                HealTime = _healTime,
                SettleTime = settle,
                Kills = _kills,
                Restarts = _restarts,
                ExtensionMetrics = ExtensionMetrics(),
            };
        }

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
            if (scenario.Partition is not { } partition)
            {
                return;
            }

            _overlay.Scheduler.Schedule(partition.Start, () =>
            {
                var minority = Sample(_overlay.Nodes.Select(n => n.Index).ToList(), partition.Fraction);
                var majority = _overlay.Nodes.Select(n => n.Index).Except(minority).ToList();
                _overlay.Network.Partition(minority, majority, PartitionKind.Full);
                // Lookups inside a split reach the closest node of their side: excused until one ring again.
                OpenExcuse();
            });
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
                Violation($"{disruption.What} not repaired within {disruption.Limit}: {why}");
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

        /// <summary>Inconsistent lookups outside the excused windows must stay within the scenario's tolerance.</summary>
        private void CheckConsistency()
        {
            var all = _overlay.Violations;
            var counted = new List<string>();
            var delivered = _overlay.LookupsDelivered;
            var excuse = 0;
            for (var i = 0; i < all.Count; i++)
            {
                while (excuse < _excuses.Count && _excuses[excuse].ViolationsTo >= 0 && i >= _excuses[excuse].ViolationsTo)
                {
                    excuse++;
                }

                if (excuse < _excuses.Count && i >= _excuses[excuse].ViolationsFrom)
                {
                    continue;
                }

                counted.Add(all[i]);
            }

            foreach (var window in _excuses)
            {
                delivered -= (window.DeliveredTo < 0 ? _overlay.LookupsDelivered : window.DeliveredTo) - window.DeliveredFrom;
            }

            if (counted.Count > (1 - scenario.MinimumConsistency) * delivered)
            {
                _violations.Add($"seed {seed}: {counted.Count} of {delivered} lookups (outside repairs) reached a node other than the live root, "
                    + $"above the scenario's {100 * (1 - scenario.MinimumConsistency):0.##} % tolerance; the first:{Environment.NewLine}{counted[0]}");
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

        private void Violation(string what)
        {
            var recent = _overlay.Trace.Recent();
            _violations.Add($"seed {seed}: {what}; last trace:{Environment.NewLine}"
                + string.Join(Environment.NewLine, recent.Skip(Math.Max(0, recent.Count - TraceLines))));
        }
    }

    private sealed record Disruption(string What, TimeSpan Started, TimeSpan Limit, bool IsHeal);

    /// <summary>A window of the overlay's violation list and delivered count that the checker excuses.</summary>
    private sealed record Excuse(int ViolationsFrom, long DeliveredFrom, int ViolationsTo = -1, long DeliveredTo = -1);
}
