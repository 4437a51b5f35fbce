using System.Net;
using CsCheck;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Routing;
using EPostEdge.Overlay.Tests.Ids;

namespace EPostEdge.Overlay.Tests.Routing;

/// <summary>
/// <see cref="RoutingTable"/> (Pastry §2.1 slots; §2.5 proximity neighbour selection: each slot
/// keeps the candidate with the smallest round-trip time) against brute force.
/// </summary>
public sealed class RoutingTableTests
{
    /// <summary>An owner and distinct other ids, most sharing a prefix of random length with it (so deep rows fill).</summary>
    private static readonly Gen<(NodeId Self, (NodeId Id, int RttMs)[] Offers)> Scenarios =
        IdModel.Bytes.SelectMany(self => Gen.Select(IdModel.Bytes, Gen.Int[0, NodeId.Size], Gen.Int[1, 500])
                .Select((other, shared, rtt) => (NodeId.Read([.. self[..shared], .. other[shared..]]), rtt))
                .Array[0, 150]
                .Select(offers => (NodeId.Read(self), offers)));

    [Fact]
    public void SlotOf_is_the_shared_prefix_row_and_the_next_digit() =>
        IdModel.Pairs.Sample((self, id) =>
        {
            var table = new RoutingTable(self);
            if (self == id)
            {
                Assert.Throws<ArgumentException>(() => table.SlotOf(id));
                Assert.False(table.IsSlotEmpty(id));
                return;
            }

            var (hs, hi) = (self.ToString(), id.ToString());
            var row = 0;
            while (hs[row] == hi[row])
            {
                row++;
            }

            Assert.Equal((row, Convert.ToInt32(hi[row].ToString(), 16)), table.SlotOf(id));
            Assert.NotEqual(self.Digit(row), table.SlotOf(id).Column);
        }, iter: 2000);

    [Fact]
    public void Each_slot_keeps_the_offer_with_the_smallest_round_trip() =>
        Scenarios.Sample((self, offers) =>
        {
            var table = new RoutingTable(self);
            var distinct = offers.Where(o => o.Id != self).DistinctBy(o => o.Id).ToList();
            var best = new Dictionary<(int, int), (NodeId Id, int RttMs)>();
            foreach (var (id, rtt) in distinct)
            {
                var slot = table.SlotOf(id);
                var wasEmpty = table.IsSlotEmpty(id);
                var changed = table.Consider(Handle(id), TimeSpan.FromMilliseconds(rtt));

                // Brute force: the first offer with the smallest RTT for the slot (ties keep the holder).
                var improves = !best.TryGetValue(slot, out var holder) || rtt < holder.RttMs;
                Assert.Equal(improves, changed);
                Assert.Equal(wasEmpty, !best.ContainsKey(slot));
                if (improves)
                {
                    best[slot] = (id, rtt);
                }
            }

            Assert.False(table.Consider(Handle(self), TimeSpan.Zero));
            AssertMatches(table, best);
        }, iter: 500);

    [Fact]
    public void A_holder_offered_again_only_updates_its_round_trip() =>
        Scenarios.Sample((self, offers) =>
        {
            var table = new RoutingTable(self);
            foreach (var (id, rtt) in offers.Where(o => o.Id != self))
            {
                table.Consider(Handle(id), TimeSpan.FromMilliseconds(rtt));
            }

            foreach (var holder in table.All().ToList())
            {
                var (row, column) = table.SlotOf(holder.Id);
                var count = table.Count;
                Assert.False(table.Consider(holder, TimeSpan.FromSeconds(9)));
                Assert.Equal(TimeSpan.FromSeconds(9), table[row, column]!.RoundTrip);
                Assert.Equal(count, table.Count);
            }
        }, iter: 200);

    [Fact]
    public void Remove_empties_the_slot_and_only_that_slot() =>
        Gen.Select(Scenarios, Gen.Int[0, int.MaxValue]).Sample((scenario, pick) =>
        {
            var (self, offers) = scenario;
            var table = new RoutingTable(self);
            var best = new Dictionary<(int, int), (NodeId Id, int RttMs)>();
            foreach (var (id, rtt) in offers.Where(o => o.Id != self).DistinctBy(o => o.Id))
            {
                if (table.Consider(Handle(id), TimeSpan.FromMilliseconds(rtt)))
                {
                    best[table.SlotOf(id)] = (id, rtt);
                }
            }

            foreach (var (id, _) in offers.Where(o => o.Id != self && !best.Values.Any(b => b.Id == o.Id)))
            {
                Assert.False(table.Remove(id)); // displaced or never admitted
            }

            var victims = best.Where((_, i) => ((pick >> (i % 31)) & 1) == 1).Select(b => b.Key).ToList();
            foreach (var slot in victims)
            {
                Assert.True(table.Remove(best[slot].Id));
                Assert.False(table.Remove(best[slot].Id));
                Assert.False(table.Contains(best[slot].Id));
                Assert.True(table.IsSlotEmpty(best[slot].Id));
                best.Remove(slot);
            }

            AssertMatches(table, best);
        }, iter: 300);

    [Fact]
    public void An_empty_table_has_no_rows()
    {
        var table = new RoutingTable(NodeId.Max);
        Assert.Equal(0, table.RowCount);
        Assert.Equal(0, table.Count);
        Assert.Empty(table.FillByRow());
        Assert.Empty(table.Row(0));
        Assert.Empty(table.All());
    }

    private static void AssertMatches(RoutingTable table, Dictionary<(int Row, int Column), (NodeId Id, int RttMs)> best)
    {
        Assert.Equal(best.Count, table.Count);
        Assert.Equal(best.Count == 0 ? 0 : best.Keys.Max(s => s.Row) + 1, table.RowCount);
        Assert.True(best.Values.Select(b => b.Id).ToHashSet().SetEquals(table.All().Select(h => h.Id)));
        var fill = table.FillByRow();
        Assert.Equal(table.RowCount, fill.Length);
        for (var row = 0; row < NodeId.Digits; row++)
        {
            var expected = best.Where(b => b.Key.Row == row).OrderBy(b => b.Key.Column).Select(b => b.Value.Id).ToList();
            Assert.Equal(expected, table.Row(row).Select(h => h.Id));
            if (row < fill.Length)
            {
                Assert.Equal(expected.Count, fill[row]);
            }

            for (var column = 0; column < NodeId.Radix; column++)
            {
                var entry = table[row, column];
                if (best.TryGetValue((row, column), out var b))
                {
                    Assert.Equal(b.Id, entry!.Node.Id);
                    Assert.Equal(TimeSpan.FromMilliseconds(b.RttMs), entry.RoundTrip);
                    Assert.True(table.Contains(b.Id));
                }
                else
                {
                    Assert.Null(entry);
                }
            }
        }
    }

    private static NodeHandle Handle(NodeId id) => new(id, new IPEndPoint(IPAddress.Loopback, 4000));
}
