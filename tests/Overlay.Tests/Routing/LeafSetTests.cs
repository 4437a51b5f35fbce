using System.Net;
using CsCheck;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Routing;
using EPostEdge.Overlay.Tests.Ids;

namespace EPostEdge.Overlay.Tests.Routing;

/// <summary>
/// <see cref="LeafSet"/> against brute force (Pastry §2.1: the L/2 numerically closest live
/// nodes on each side), under random joins and departures.
/// </summary>
public sealed class LeafSetTests
{
    private static readonly Gen<int> Sizes = Gen.OneOf(Gen.Const(2), Gen.Const(4), Gen.Const(8), Gen.Const(16), Gen.Const(24), Gen.Const(32));

    /// <summary>One step: remove a live node (picked by index), or offer an id (a fresh one, self, or one already live).</summary>
    private static readonly Gen<(int Kind, int Pick, NodeId Id)> Steps = Gen.Select(Gen.Int[0, 9], Gen.Int[0, int.MaxValue], IdModel.GenId);

    /// <summary>A leaf set, a scenario of steps, and ids near the owner (so the ring around it is crowded).</summary>
    private static readonly Gen<(NodeId Self, int Size, (int Kind, int Pick, NodeId Id)[] Steps, long[] Near)> Scenarios =
        Gen.Select(IdModel.GenId, Sizes, Steps.Array[0, 120], Gen.Long[-5000, 5000].Array[0, 40]);

    [Fact]
    public void Sides_are_the_nearest_live_nodes_each_way_under_joins_and_departures() =>
        Scenarios.Sample((self, size, steps, near) =>
        {
            var leafSet = new LeafSet(self, size);
            var live = new List<NodeId>();
            var nearIds = near.Select(d => IdModel.FromBig(IdModel.ToBig(self) + d)).ToList();
            foreach (var (kind, pick, fresh) in steps)
            {
                if (kind <= 1 && live.Count > 0)
                {
                    var gone = live[pick % live.Count];
                    live.Remove(gone);
                    var wasMember = leafSet.Contains(gone);
                    Assert.Equal(wasMember, leafSet.Remove(gone));
                    Assert.False(leafSet.Contains(gone));
                    Assert.False(leafSet.Remove(gone));
                    Assert.All(leafSet.Members, m => Assert.Contains(m.Id, live));
                    AssertSidesOrdered(leafSet);

                    // Repair (Pastry §2.4): the node learns the live nodes again.
                    foreach (var id in live.OrderBy(id => id.GetHashCode() ^ pick))
                    {
                        Offer(leafSet, id);
                    }
                }
                else
                {
                    var id = kind switch
                    {
                        2 => self,
                        3 when live.Count > 0 => live[pick % live.Count],
                        4 or 5 or 6 when nearIds.Count > 0 => nearIds[pick % nearIds.Count],
                        _ => fresh,
                    };
                    Offer(leafSet, id);
                    if (id != self && !live.Contains(id))
                    {
                        live.Add(id);
                    }
                }

                AssertMatchesBruteForce(leafSet, live);
            }
        }, iter: 400);

    [Fact]
    public void Removing_a_member_refills_its_side_from_the_other_side()
    {
        // L = 4 on a ring of three others just clockwise of the owner: clockwise [a, b],
        // counter-clockwise (the long way round) [c, b]. When a goes, c is the second nearest
        // clockwise, and it is already a member (counter-clockwise).
        var self = NodeId.Parse("5000000000000000000000000000000000000000");
        var (a, b, c) = (self.Plus(IdModel.FromBig(1)), self.Plus(IdModel.FromBig(2)), self.Plus(IdModel.FromBig(3)));
        var leafSet = new LeafSet(self, 4);
        foreach (var id in new[] { a, b, c })
        {
            leafSet.Add(Handle(id));
        }

        Assert.Equal([a, b], leafSet.Clockwise.Select(h => h.Id));
        Assert.Equal([c, b], leafSet.CounterClockwise.Select(h => h.Id));

        Assert.True(leafSet.Remove(a));
        Assert.Equal([b, c], leafSet.Clockwise.Select(h => h.Id));
        Assert.Equal([c, b], leafSet.CounterClockwise.Select(h => h.Id));
    }

    [Fact]
    public void A_key_in_range_goes_to_its_true_root() =>
        Gen.Select(Scenarios, IdModel.GenId.Array[20], Gen.Long[-3000, 3000].Array[20]).Sample((scenario, keys, offsets) =>
        {
            var (self, size, steps, _) = scenario;
            var leafSet = new LeafSet(self, size);
            var live = steps.Select(s => s.Id).Where(id => id != self).Distinct().ToList();
            foreach (var id in live)
            {
                leafSet.Add(Handle(id));
            }

            var all = live.Append(self).ToList();
            Assert.Equal(live.Count < size, leafSet.CoversRing);
            foreach (var key in keys.Concat(offsets.Select(d => IdModel.FromBig(IdModel.ToBig(self) + d))).Append(self))
            {
                Assert.Equal(InRangeModel(leafSet, key), leafSet.InRange(key));
                if (leafSet.InRange(key))
                {
                    // Pastry §2.3: within the leaf set's range the closest member is the key's root.
                    Assert.Equal(key.ClosestOf(all), leafSet.Closest(key));
                }

                Assert.Equal(key.ClosestOf(leafSet.Members.Select(m => m.Id).Append(self)), leafSet.Closest(key));
            }
        }, iter: 400);

    [Fact]
    public void Closest_skips_excluded_members_but_never_the_owner() =>
        Gen.Select(Scenarios, IdModel.GenId, Gen.Int[0, int.MaxValue]).Sample((scenario, key, mask) =>
        {
            var (self, size, steps, _) = scenario;
            var leafSet = new LeafSet(self, size);
            foreach (var step in steps)
            {
                leafSet.Add(Handle(step.Id));
            }

            var members = leafSet.Members.Select(m => m.Id).ToList();
            bool Excluded(NodeId id) => members.IndexOf(id) is var i && i >= 0 && ((mask >> (i % 31)) & 1) == 1;
            var allowed = members.Where(m => !Excluded(m)).Append(self);
            Assert.Equal(key.ClosestOf(allowed), leafSet.Closest(key, Excluded));
            Assert.Equal(self, leafSet.Closest(key, _ => true));
        });

    [Fact]
    public void ClosestTo_is_the_replica_set_by_brute_force() =>
        Gen.Select(Scenarios, IdModel.GenId, Gen.Int[-1, 40]).Sample((scenario, key, count) =>
        {
            var (self, size, steps, _) = scenario;
            var leafSet = new LeafSet(self, size);
            foreach (var step in steps)
            {
                leafSet.Add(Handle(step.Id));
            }

            var candidates = leafSet.Members.Select(m => m.Id).Append(self).ToList();
            var expected = new List<NodeId>();
            while (expected.Count < Math.Max(0, count) && candidates.Count > 0)
            {
                var next = key.ClosestOf(candidates);
                expected.Add(next);
                candidates.Remove(next);
            }

            Assert.Equal(expected, leafSet.ClosestTo(key, count, Handle(self)).Select(h => h.Id));
        });

    [Fact]
    public void Refresh_changes_an_endpoint_not_membership() =>
        Scenarios.Sample((self, size, steps, _) =>
        {
            var leafSet = new LeafSet(self, size);
            foreach (var step in steps)
            {
                leafSet.Add(Handle(step.Id));
            }

            var before = leafSet.Members.Select(m => m.Id).ToList();
            foreach (var id in before)
            {
                leafSet.Refresh(new NodeHandle(id, new IPEndPoint(IPAddress.IPv6Loopback, 9)));
            }

            leafSet.Refresh(new NodeHandle(self, new IPEndPoint(IPAddress.IPv6Loopback, 9)));
            Assert.Equal(before, leafSet.Members.Select(m => m.Id));
            Assert.All(leafSet.Clockwise.Concat(leafSet.CounterClockwise), m => Assert.Equal(9, m.EndPoint.Port));
            Assert.Equal(before.Count, leafSet.Count);
        }, iter: 100);

    [Fact]
    public void Sizes_must_be_even_and_between_2_and_64()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeafSet(NodeId.Zero, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeafSet(NodeId.Zero, 66));
        Assert.Throws<ArgumentException>(() => new LeafSet(NodeId.Zero, 15));
        Assert.Equal(32, new LeafSet(NodeId.Zero, 64).Half);
    }

    /// <summary>Offers <paramref name="id"/>; checks WouldAdmit predicted it and the evicted list is exactly who left.</summary>
    private static void Offer(LeafSet leafSet, NodeId id)
    {
        var before = leafSet.Members.Select(m => m.Id).ToHashSet();
        var predicted = leafSet.WouldAdmit(id);
        var evicted = new List<NodeHandle>();
        var changed = leafSet.Add(Handle(id), evicted);
        var after = leafSet.Members.Select(m => m.Id).ToHashSet();
        Assert.Equal(predicted, changed);
        Assert.Equal(!before.SetEquals(after), changed);
        Assert.True(before.Except(after).ToHashSet().SetEquals(evicted.Select(e => e.Id)));
        Assert.Equal(changed, after.Contains(id) && !before.Contains(id));
    }

    private static void AssertMatchesBruteForce(LeafSet leafSet, List<NodeId> live)
    {
        var self = leafSet.Self;
        var clockwise = live.OrderBy(id => id.Minus(self)).Take(leafSet.Half).ToList();
        var counter = live.OrderBy(id => self.Minus(id)).Take(leafSet.Half).ToList();
        Assert.Equal(clockwise, leafSet.Clockwise.Select(h => h.Id));
        Assert.Equal(counter, leafSet.CounterClockwise.Select(h => h.Id));
        Assert.Equal(clockwise.Union(counter).Count(), leafSet.Count);
        Assert.Equal(live.Count < leafSet.Size, leafSet.CoversRing);
        foreach (var id in live)
        {
            Assert.Equal(clockwise.Contains(id) || counter.Contains(id), leafSet.Contains(id));
            Assert.False(leafSet.WouldAdmit(id) && leafSet.Contains(id));
        }

        Assert.False(leafSet.WouldAdmit(self));
        Assert.False(leafSet.Contains(self));
    }

    private static void AssertSidesOrdered(LeafSet leafSet)
    {
        var self = leafSet.Self;
        Assert.True(leafSet.Clockwise.Count <= leafSet.Half && leafSet.CounterClockwise.Count <= leafSet.Half);
        Assert.Equal(leafSet.Clockwise.Select(h => h.Id).OrderBy(id => id.Minus(self)), leafSet.Clockwise.Select(h => h.Id));
        Assert.Equal(leafSet.CounterClockwise.Select(h => h.Id).OrderBy(id => self.Minus(id)), leafSet.CounterClockwise.Select(h => h.Id));
    }

    /// <summary>Within the arc from the farthest counter-clockwise member to the farthest clockwise one, both included.</summary>
    private static bool InRangeModel(LeafSet leafSet, NodeId key)
    {
        if (leafSet.CoversRing)
        {
            return true;
        }

        var lowest = IdModel.ToBig(leafSet.CounterClockwise[^1].Id);
        var highest = IdModel.ToBig(leafSet.Clockwise[^1].Id);
        return IdModel.Mod(IdModel.ToBig(key) - lowest) <= IdModel.Mod(highest - lowest);
    }

    private static NodeHandle Handle(NodeId id) => new(id, new IPEndPoint(IPAddress.Loopback, 1 + (id.Digit(39) * 16) + id.Digit(38)));
}
