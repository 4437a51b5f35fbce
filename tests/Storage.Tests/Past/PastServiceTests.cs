using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;
using EPostEdge.Storage.Past;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Past;

/// <summary>The storage service on a 24-node simulated overlay: PAST, Glacier, heads, leases, quotas.</summary>
public sealed class PastServiceTests
{
    private static readonly PastOptions Defaults = new() { Fragments = 12, FragmentsNeeded = 3, PointerCopies = 8, AuditInterval = TimeSpan.FromSeconds(30), MaintenanceInterval = TimeSpan.FromSeconds(20) };

    private static byte[] Bytes(int length, ulong seed)
    {
        var bytes = new byte[length];
        new SeededRandomSource(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void An_insert_is_acknowledged_by_k_replicas_on_the_k_closest_nodes_and_read_from_anywhere()
    {
        using var net = new PastTestOverlay(1, 24, Defaults);
        var content = Bytes(20_000, 1);
        var outcome = net.Run(net.Service(5).InsertAsync(content));
        Assert.True(outcome.Acknowledged);
        Assert.Equal(3, outcome.Replicas);

        // PAST: exactly the k nodes closest to the key hold it.
        var closest = net.Overlay.Nodes.OrderBy(n => n.Id.Distance(FragmentKeys.Placement(outcome.Key))).Take(3).Select(n => n.Index).Order().ToList();
        Assert.Equal(closest, net.Holders(HeldKind.Replica, outcome.Key));

        net.Overlay.RunFor(TimeSpan.FromSeconds(30));
        Assert.Equal(12, Enumerable.Range(0, 12).Count(i => net.Holders(HeldKind.Fragment, FragmentKeys.Of(outcome.Key, i)).Count == 1));
        Assert.Equal(content, net.Run(net.Service(17).ReadAsync(outcome.Key)));
        Assert.Null(net.Run(net.Service(17).ReadAsync(BlockKey.Of([1, 2, 3]))));
    }

    [Fact]
    public void When_every_replica_holder_is_dead_the_object_is_decoded_from_fragments_and_its_replicas_come_back()
    {
        using var net = new PastTestOverlay(2, 24, Defaults);
        var content = Bytes(10_000, 2);
        var key = net.Run(net.Service(3).InsertAsync(content)).Key;
        net.Overlay.RunFor(TimeSpan.FromSeconds(30));
        var victims = net.Holders(HeldKind.Replica, key);
        Assert.Equal(3, victims.Count);
        foreach (var victim in victims)
        {
            net.Overlay.Kill(victim);
        }

        net.Overlay.RunFor(TimeSpan.FromSeconds(40)); // leaf sets repair around the dead
        var reader = Enumerable.Range(0, 24).First(i => !victims.Contains(i) && i != 3);
        Assert.Equal(content, net.Run(net.Service(reader).ReadAsync(key)));
        // Decoded by the reader, or already by a fragment holder's audit (which found the replicas gone).
        var decodes = Enumerable.Range(0, 24).Where(i => !victims.Contains(i)).Sum(i => net.Service(i).Counters.Decodes);
        Assert.True(decodes >= 1, "nobody decoded the object from its fragments");
        net.Overlay.RunFor(TimeSpan.FromSeconds(30));
        Assert.Equal(3, net.Holders(HeldKind.Replica, key).Count);
    }

    [Fact]
    public void Small_objects_share_an_aggregate_found_through_their_pointers_when_their_replicas_are_gone()
    {
        using var net = new PastTestOverlay(9, 24, Defaults);
        var contents = Enumerable.Range(0, 12).Select(i => Bytes(1000 + i, 100 + (ulong)i)).ToList();
        var keys = contents.Select(c => net.Run(net.Service(6).InsertAsync(c)).Key).ToList();
        net.Overlay.RunFor(TimeSpan.FromSeconds(30)); // the aggregate is sealed after AggregateDelay

        // One aggregate for all twelve: its 12 fragments, and 8 pointers per object; no fragments of their own.
        var owned = net.Service(6).Owned();
        var aggregate = Assert.Single(owned.Select(o => o.Aggregate).Distinct());
        Assert.NotNull(aggregate);
        Assert.Equal(12, Enumerable.Range(0, 12).Count(i => net.Holders(HeldKind.Fragment, FragmentKeys.Of(aggregate.Value, i)).Count == 1));
        Assert.All(keys, k => Assert.Equal(8, Enumerable.Range(0, 8).Count(i => net.Holders(HeldKind.Pointer, FragmentKeys.Of(k, i)).Count == 1)));
        Assert.Equal(0, net.Service(6).Durability().BelowFullRedundancy);

        var victims = net.Holders(HeldKind.Replica, keys[5]);
        victims.ForEach(net.Overlay.Kill);
        net.Overlay.RunFor(TimeSpan.FromSeconds(20));
        var reader = Enumerable.Range(0, 24).First(i => !victims.Contains(i) && i != 6);
        Assert.Equal(contents[5], net.Run(net.Service(reader).ReadAsync(keys[5])));
        net.Overlay.RunFor(TimeSpan.FromSeconds(30));
        Assert.Equal(3, net.Holders(HeldKind.Replica, keys[5]).Count);
    }

    [Fact]
    public void Corrupt_replicas_and_fragments_are_rejected_by_their_hash_and_the_object_still_reads()
    {
        using var net = new PastTestOverlay(3, 24, Defaults);
        var content = Bytes(8000, 3);
        var key = net.Run(net.Service(1).InsertAsync(content)).Key;
        net.Overlay.RunFor(TimeSpan.FromSeconds(30));

        // Every replica flips a bit, and so do a third of the fragments: reads must skip all of them.
        foreach (var holder in net.Holders(HeldKind.Replica, key))
        {
            Assert.True(net.Stores[holder].Corrupt(HeldKind.Replica, key, 77));
        }

        for (var i = 0; i < 4; i++)
        {
            var fragmentKey = FragmentKeys.Of(key, i);
            foreach (var holder in net.Holders(HeldKind.Fragment, fragmentKey))
            {
                Assert.True(net.Stores[holder].Corrupt(HeldKind.Fragment, fragmentKey, 8 * 1000));
            }
        }

        var reader = net.Service(20);
        Assert.Equal(content, net.Run(reader.ReadAsync(key)));
        var rejected = Enumerable.Range(0, 24).Sum(i => net.Service(i).Counters.CorruptRejected);
        Assert.True(rejected >= 3, $"{rejected} corrupt items rejected");
    }

    [Fact]
    public void A_node_over_its_contributed_quota_refuses_and_says_so()
    {
        using var net = new PastTestOverlay(4, 12, Defaults with { Glacier = false }, capacity: 4096);
        var outcome = net.Run(net.Service(2).InsertAsync(Bytes(5000, 4)));
        Assert.False(outcome.Acknowledged);
        Assert.True(outcome.QuotaRefused);
        Assert.Equal(0, outcome.Replicas);
        Assert.True(net.Run(net.Service(2).InsertAsync(Bytes(1000, 5))).Acknowledged);
    }

    [Fact]
    public void A_users_share_of_the_overlay_is_bounded()
    {
        using var net = new PastTestOverlay(5, 12, Defaults with { Glacier = false, UserQuotaBytes = 3000 });
        Assert.True(net.Run(net.Service(0).InsertAsync(Bytes(2000, 6), "alice")).Acknowledged);
        var refused = Assert.Throws<QuotaExceededException>(() => net.Run(net.Service(0).InsertAsync(Bytes(2000, 7), "alice")));
        Assert.Contains("alice", refused.Message, StringComparison.Ordinal);
        Assert.True(net.Run(net.Service(0).InsertAsync(Bytes(2000, 8), "bob")).Acknowledged);
    }

    [Fact]
    public void Heads_are_compare_and_set_on_their_version_and_a_read_returns_the_newest_acknowledged()
    {
        using var net = new PastTestOverlay(6, 24, Defaults);
        using var owner = UserIdentity.Create(new SeededRandomSource(6));
        var v2 = LogHead.Sign(owner, "INBOX", 2, BlockKey.Of([2]));
        var v1 = LogHead.Sign(owner, "INBOX", 1, BlockKey.Of([1]));
        var written = net.Run(net.Service(4).WriteHeadAsync(v2));
        Assert.True(written.Acknowledged);
        Assert.Equal(3, written.Replicas);

        var stale = net.Run(net.Service(4).WriteHeadAsync(v1));
        Assert.False(stale.Acknowledged);
        Assert.Equal(2UL, stale.HighestSeen);
        Assert.Equal(2UL, net.Run(net.Service(19).ReadHeadAsync(owner.PublicKeys, "INBOX"))!.Version);

        // One replica holder dies: a majority still answers with v2.
        var key = PastService.HeadKey(owner.PublicKeys, "INBOX");
        net.Overlay.Kill(net.Holders(HeldKind.Head, key)[0]);
        net.Overlay.RunFor(TimeSpan.FromSeconds(40));
        Assert.Equal(2UL, net.Run(net.Service(11).ReadHeadAsync(owner.PublicKeys, "INBOX"))!.Version);
        Assert.Null(net.Run(net.Service(11).ReadHeadAsync(owner.PublicKeys, "Sent")));
    }

    [Fact]
    public void Under_a_partition_the_owner_keeps_writing_heads_on_its_side_and_after_the_heal_every_reader_gets_the_newest()
    {
        using var net = new PastTestOverlay(10, 24, Defaults);
        using var owner = UserIdentity.Create(new SeededRandomSource(10));
        const int home = 0;
        Assert.True(net.Run(net.Service(home).WriteHeadAsync(LogHead.Sign(owner, "INBOX", 1, BlockKey.Of([1])))).Acknowledged);

        // ePOST chose availability: a third of the ring, the owner's home among it, is cut off.
        var side = Enumerable.Range(0, 24).Where(i => i % 3 == 0).ToList();
        var rest = Enumerable.Range(0, 24).Except(side).ToList();
        net.Overlay.Network.Partition(side, rest, Overlay.Simulation.PartitionKind.Full);
        net.Overlay.RunFor(TimeSpan.FromMinutes(1)); // each side's leaf sets close over its own nodes
        var written = net.Run(net.Service(home).WriteHeadAsync(LogHead.Sign(owner, "INBOX", 2, BlockKey.Of([2]))));
        Assert.True(written.Acknowledged, $"v2 got {written.Replicas} replicas on the owner's side");
        Assert.Equal(2UL, net.Run(net.Service(side[^1]).ReadHeadAsync(owner.PublicKeys, "INBOX"))!.Version);

        // Healed: the two sides' leaf sets merge, maintenance pushes the newer head over the older,
        // and a reader anywhere gets v2.
        net.Overlay.Network.Heal();
        net.Overlay.RunFor(TimeSpan.FromMinutes(3));
        foreach (var reader in new[] { rest[0], rest[^1], side[1] })
        {
            Assert.Equal(2UL, net.Run(net.Service(reader).ReadHeadAsync(owner.PublicKeys, "INBOX"))!.Version);
        }
    }

    [Fact]
    public void Released_objects_are_collected_after_their_lease_and_renewed_ones_are_kept()
    {
        var leases = Defaults with { EpochLength = TimeSpan.FromSeconds(10), LeaseEpochs = 4, RenewEvery = 2 };
        using var net = new PastTestOverlay(7, 16, leases);
        var kept = net.Run(net.Service(1).InsertAsync(Bytes(20_000, 9))).Key;
        var garbage = net.Run(net.Service(1).InsertAsync(Bytes(20_000, 10))).Key;
        net.Overlay.RunFor(TimeSpan.FromSeconds(20));
        net.Service(1).Release(garbage);
        net.Overlay.RunFor(TimeSpan.FromMinutes(3));

        Assert.Empty(net.Holders(HeldKind.Replica, garbage));
        Assert.Empty(Enumerable.Range(0, 12).SelectMany(i => net.Holders(HeldKind.Fragment, FragmentKeys.Of(garbage, i))));
        Assert.Equal(3, net.Holders(HeldKind.Replica, kept).Count);
        Assert.Equal(12, Enumerable.Range(0, 12).Count(i => net.Holders(HeldKind.Fragment, FragmentKeys.Of(kept, i)).Count > 0));
        var report = net.Service(1).Durability();
        Assert.Equal(1, report.Objects);
        Assert.Equal(0, report.BelowFullRedundancy);
    }

    [Fact]
    public void A_clock_two_years_off_changes_nothing_about_leases()
    {
        // Leases count local epochs: node 2's wall clock is two years ahead, node 3's two years
        // behind, and both hold and renew exactly as the others do.
        var leases = Defaults with { EpochLength = TimeSpan.FromSeconds(10), LeaseEpochs = 4, RenewEvery = 2 };
        using var net = new PastTestOverlay(8, 16, leases);
        net.Overlay.Nodes[2].Clock.Offset += TimeSpan.FromDays(730);
        net.Overlay.Nodes[3].Clock.Offset -= TimeSpan.FromDays(730);
        var keys = Enumerable.Range(0, 6).Select(i => net.Run(net.Service(2 + (i % 2)).InsertAsync(Bytes(1500, 20 + (ulong)i))).Key).ToList();
        net.Overlay.RunFor(TimeSpan.FromMinutes(3));
        foreach (var key in keys)
        {
            Assert.Equal(3, net.Holders(HeldKind.Replica, key).Count);
        }

        Assert.Equal(0, Enumerable.Range(0, 16).Sum(i => net.Service(i).Counters.Collected));
    }
}
