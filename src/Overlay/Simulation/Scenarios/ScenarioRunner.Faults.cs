namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>The scenario's timed faults (issue 5 items 2 and 4): hang, slow, clock jumps, swizzle-clog, asymmetric partition.</summary>
public static partial class ScenarioRunner
{
    /// <remarks>
    /// How the routing-consistency checker treats faults. A hung, slow or clogged node looks dead to
    /// everyone else, so Pastry rightly routes around it (§2.5: a node that stops answering is
    /// removed from leaf sets) and delivers its keys at its neighbour; when it comes back it is
    /// re-absorbed only after keep-alives, a leaf-set exchange and partition probes (ePOST §5) have
    /// run. A lookup is therefore excused when the node it reached or its true root is under such a
    /// fault, or was within <see cref="FaultGrace"/> after it: the fault itself explains it. This is
    /// per node rather than a global excuse window, so lookups among the other nodes are still
    /// checked while faults run (a global window over faults-mix would check almost nothing). Clock
    /// jumps are never excused: the overlay uses monotonic time only, so a jump must not show.
    /// An asymmetric partition cuts the whole ring in two, like the full partition: it uses the same
    /// excuse window and heal check.
    /// </remarks>
    private sealed partial class ScenarioRun
    {
        private TimeSpan[] _faultedUntil = [];
        private bool[] _busy = [];

        /// <summary>
        /// How long after a node fault ends lookups involving the node stay excused: two repair
        /// periods. A node resumed after a long hang first works through its backlog with a stale
        /// leaf set and can deliver a lookup at itself while its root is live (seen at once after a
        /// 3-minute hang); with no grace such lookups fail runs the fault fully explains.
        /// </summary>
        private TimeSpan FaultGrace => _overlay.Options.RepairPeriod * 2;

        /// <summary>Schedules the scenario's faults from the start of the measured window; each is lifted by the window's end at the latest.</summary>
        private void ScheduleFaults()
        {
            if (scenario.Faults is not { Count: > 0 } faults)
            {
                return;
            }

            var count = _overlay.Nodes.Count;
            _faultedUntil = Enumerable.Repeat(TimeSpan.MinValue, count).ToArray();
            _busy = new bool[count];
            _overlay.ExplainedByFault = Explains;
            var window = _end - _overlay.Scheduler.Now;
            foreach (var fault in faults)
            {
                if (fault.At >= window)
                {
                    continue; // the run was shortened below the fault's start
                }

                var length = fault.At + fault.Length <= window ? fault.Length : window - fault.At;
                _overlay.Scheduler.Schedule(fault.At, () => StartFault(fault, length));
            }
        }

        private void StartFault(ScenarioFault fault, TimeSpan length)
        {
            var scheduler = _overlay.Scheduler;
            switch (fault.Kind)
            {
                case FaultKind.Hang:
                    foreach (var index in PickFreeNodes(fault))
                    {
                        var node = _overlay.Nodes[index];
                        Hold(index);
                        node.Hang();
                        scheduler.Schedule(length, () =>
                        {
                            node.Resume();
                            Release(index);
                        });
                    }

                    break;

                case FaultKind.Slow:
                    foreach (var index in PickFreeNodes(fault))
                    {
                        var link = _overlay.Nodes[index].Link;
                        Hold(index);
                        link.LatencyFactor = fault.Factor;
                        _overlay.Trace.Note(scheduler.Now, $"slow {index} x{fault.Factor}");
                        scheduler.Schedule(length, () =>
                        {
                            link.LatencyFactor = 1;
                            _overlay.Trace.Note(scheduler.Now, $"fast {index}");
                            Release(index);
                        });
                    }

                    break;

                case FaultKind.ClockJump:
                    foreach (var index in Pick(_overlay.Nodes.Select(n => n.Index).ToList(), fault.NodesPicked(_overlay.Nodes.Count)))
                    {
                        var clock = _overlay.Nodes[index].Clock;
                        var when = TimeSpan.FromTicks((long)(length.Ticks * _random.NextDouble()));
                        var jump = TimeSpan.FromTicks((long)(fault.MaximumJump.Ticks * ((2 * _random.NextDouble()) - 1)));
                        scheduler.Schedule(when, () =>
                        {
                            clock.Offset += jump;
                            _overlay.Trace.Note(scheduler.Now, $"clock jump {index} by {jump}");
                        });
                    }

                    break;

                case FaultKind.SwizzleClog:
                    SwizzleClog(fault, length);
                    break;

                case FaultKind.AsymmetricPartition:
                    var all = _overlay.Nodes.Select(n => n.Index).ToList();
                    var cut = Pick(all, fault.NodesPicked(all.Count));
                    var rest = all.Except(cut).ToList();
                    _overlay.Network.Partition(cut, rest, PartitionKind.Asymmetric);
                    OpenExcuse();
                    scheduler.Schedule(length, () =>
                    {
                        _overlay.Network.Unpartition(cut, rest, PartitionKind.Asymmetric);
                        _disruption = new Disruption("asymmetric partition", scheduler.Now, fault.HealLimit, IsHeal: true);
                    });
                    break;
            }
        }

        /// <summary>
        /// FoundationDB's swizzle-clog: the picked nodes are clogged one by one at random moments of
        /// the first half of the fault, then unclogged one by one, in another random order, during
        /// the second half — so the set of reachable nodes shrinks and grows through many shapes.
        /// </summary>
        private void SwizzleClog(ScenarioFault fault, TimeSpan length)
        {
            var picked = PickFreeNodes(fault);
            var half = length / 2;
            var clogAt = picked.Select(_ => TimeSpan.FromTicks((long)(half.Ticks * _random.NextDouble()))).Order().ToList();
            var unclogAt = picked.Select(_ => half + TimeSpan.FromTicks((long)((length - half).Ticks * _random.NextDouble()))).Order().ToList();
            var unclogOrder = Pick(picked, picked.Count);
            for (var k = 0; k < picked.Count; k++)
            {
                var clogged = picked[k];
                var unclogged = unclogOrder[k];
                _overlay.Scheduler.Schedule(clogAt[k], () =>
                {
                    Hold(clogged);
                    _overlay.Network.Clog(clogged);
                });
                _overlay.Scheduler.Schedule(unclogAt[k], () =>
                {
                    _overlay.Network.Unclog(unclogged);
                    Release(unclogged);
                });
            }
        }

        /// <summary>Live nodes not under another node fault, so two faults never fight over one node (a hang's resume would end another's).</summary>
        private List<int> PickFreeNodes(ScenarioFault fault)
        {
            var free = _overlay.Nodes.Where(n => n.IsAlive && !_busy[n.Index]).Select(n => n.Index).ToList();
            var picked = Pick(free, Math.Min(free.Count, fault.NodesPicked(_overlay.Nodes.Count)));
            foreach (var index in picked)
            {
                _busy[index] = true;
            }

            return picked;
        }

        /// <summary>The first <paramref name="count"/> of a random permutation of <paramref name="from"/> (Fisher–Yates on the run's source).</summary>
        private List<int> Pick(List<int> from, int count)
        {
            var pool = from.ToList();
            for (var i = 0; i < count; i++)
            {
                var j = i + _random.NextInt32(pool.Count - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }

            return pool.GetRange(0, count);
        }

        private void Hold(int index) => _faultedUntil[index] = TimeSpan.MaxValue;

        private void Release(int index)
        {
            _faultedUntil[index] = _overlay.Scheduler.Now + FaultGrace;
            _busy[index] = false;
        }

        private bool Faulted(int index) => _overlay.Scheduler.Now <= _faultedUntil[index];

        private bool Explains(int deliveredAt, SimulatedNode? root) => Faulted(deliveredAt) || (root is not null && Faulted(root.Index));
    }
}
