using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;
using EPostEdge.Storage.Past;

namespace EPostEdge.Storage.Tests.Past;

/// <summary>The storage service's own background work: paced through its window, repeated until stored, and counted truthfully.</summary>
public sealed class PastServiceBackgroundTests
{
    private static readonly PastOptions Defaults = new() { Fragments = 12, FragmentsNeeded = 3, PointerCopies = 8, AuditInterval = TimeSpan.FromSeconds(30), MaintenanceInterval = TimeSpan.FromSeconds(20) };

    private static byte[] Bytes(int length, ulong seed)
    {
        var bytes = new byte[length];
        new SeededRandomSource(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void An_aggregates_fragments_and_pointers_go_through_the_window_and_a_member_is_fully_redundant_only_once_its_pointers_are_stored()
    {
        using var net = new PastTestOverlay(21, 24, Defaults with { BackgroundRequests = 4 });
        var writer = net.Service(6);
        var keys = Enumerable.Range(0, 12).Select(i => net.Run(writer.InsertAsync(Bytes(1000 + i, 300 + (ulong)i))).Key).ToList();

        // One aggregate: 12 fragment stores, then 12 × 8 pointer stores, never more than 4 in flight.
        var mostInFlight = 0;
        var mostWaiting = 0;
        var fragmentsButNotPointers = 0;
        var settled = net.Overlay.RunUntil(
            () =>
            {
                var (inFlight, waiting) = writer.Background();
                mostInFlight = Math.Max(mostInFlight, inFlight);
                mostWaiting = Math.Max(mostWaiting, waiting);
                var owned = writer.Owned();
                var report = writer.Durability();
                if (owned.Any(o => o.FragmentsConfirmed == 12 && o.PointersConfirmed < 8))
                {
                    // Fragments alone do not make a small object findable in Glacier: still below.
                    fragmentsButNotPointers = Math.Max(fragmentsButNotPointers, report.BelowFullRedundancy);
                }

                return report.BelowFullRedundancy == 0;
            },
            TimeSpan.FromMinutes(2),
            TimeSpan.FromMilliseconds(5));

        Assert.NotNull(settled);
        Assert.Equal(4, mostInFlight);
        Assert.True(mostWaiting >= 8, $"the window never held work back (at most {mostWaiting} waiting)");
        Assert.True(fragmentsButNotPointers > 0, "while members' pointers were still being stored (their aggregate's fragments were), nothing was counted below full redundancy");
        Assert.All(writer.Owned(), o => Assert.Equal((12, 8, 3), (o.FragmentsConfirmed, o.PointersConfirmed, o.ReplicasConfirmed)));
        Assert.All(keys, k => Assert.Equal(8, Enumerable.Range(0, 8).Count(i => net.Holders(HeldKind.Pointer, FragmentKeys.Of(k, i)).Count == 1)));
        Assert.Equal((0, 0), writer.Background());
    }

    [Fact]
    public void An_insert_acknowledged_by_fewer_than_k_replicas_is_inserted_again_and_counted_once_all_k_hold_it()
    {
        using var net = new PastTestOverlay(22, 24, Defaults with { Glacier = false });
        var content = Bytes(5000, 22);
        var key = BlockKey.Of(content);
        var replicaSet = net.Overlay.Nodes.OrderBy(n => n.Id.Distance(FragmentKeys.Placement(key))).Take(3).Select(n => n.Index).ToList();
        var writer = net.Service(Enumerable.Range(0, 24).First(i => !replicaSet.Contains(i)));

        // The third member's answers to the root are lost while the insert runs: a majority acknowledges.
        net.Overlay.Network.Block(replicaSet[2], replicaSet[0]);
        var outcome = net.Run(writer.InsertAsync(content));
        net.Overlay.Network.Heal();
        Assert.True(outcome.Acknowledged);
        Assert.Equal(2, outcome.Replicas);
        Assert.Equal(1, writer.Durability().BelowFullRedundancy);

        // Replica maintenance alone would fix the copies but not the owner's count, which would say
        // "below" until the next renewal, epochs later; the owner's second insert settles both.
        var settled = net.Overlay.RunUntil(() => writer.Durability().BelowFullRedundancy == 0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.NotNull(settled);
        Assert.Equal(3, writer.Owned().Single().ReplicasConfirmed);
        Assert.Equal(replicaSet.Order(), net.Holders(HeldKind.Replica, key));
    }
}
