using System.Net;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Simulation;

namespace EPostEdge.Overlay.Tests.Simulation;

public sealed class SimulatedNetworkTests
{
    private static (SimulationScheduler Scheduler, SimulatedNetwork Network, List<(int To, TimeSpan At, byte[] Bytes, IPEndPoint From)> Received) Build(int nodes, SimulatedNetworkOptions? options = null)
    {
        var scheduler = new SimulationScheduler();
        var network = new SimulatedNetwork(scheduler, new SeededRandomSource(42), options);
        var received = new List<(int, TimeSpan, byte[], IPEndPoint)>();
        for (var i = 0; i < nodes; i++)
        {
            var link = network.AddNode();
            var index = i;
            link.Start((from, bytes) => received.Add((index, scheduler.Now, bytes.ToArray(), from)));
        }

        return (scheduler, network, received);
    }

    [Fact]
    public void A_frame_arrives_after_the_topology_latency_as_a_copy_from_the_sender_endpoint()
    {
        var (scheduler, network, received) = Build(3);
        var buffer = new byte[] { 1, 2, 3 };
        network.Links[0].Send(network.Links[1].LocalEndPoint, buffer);
        buffer[0] = 99; // the sender reuses its buffer at once

        var latency = network.Latency(0, 1);
        Assert.InRange(latency, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(200));
        scheduler.RunUntil(latency - TimeSpan.FromTicks(1));
        Assert.Empty(received);
        scheduler.RunUntil(latency);
        var (to, at, bytes, from) = Assert.Single(received);
        Assert.Equal(1, to);
        Assert.Equal(latency, at);
        Assert.Equal([1, 2, 3], bytes);
        Assert.Equal(network.Links[0].LocalEndPoint, from);
        Assert.Equal(3, network.Links[0].BytesSent);
        Assert.Equal(1, network.Links[1].FramesReceived);
    }

    [Fact]
    public void Partitions_cut_full_asymmetric_and_single_pairs_and_heal()
    {
        var (scheduler, network, received) = Build(4);
        network.Partition([0], [1], PartitionKind.Asymmetric);
        network.BlockBothWays(2, 3);
        void SendAll()
        {
            for (var a = 0; a < 4; a++)
            {
                for (var b = 0; b < 4; b++)
                {
                    if (a != b)
                    {
                        network.Links[a].Send(network.Links[b].LocalEndPoint, new[] { (byte)a, (byte)b });
                    }
                }
            }
        }

        SendAll();
        scheduler.RunFor(TimeSpan.FromSeconds(1));
        var pairs = received.Select(r => (r.Bytes[0], r.Bytes[1])).ToHashSet();
        Assert.Equal(12 - 3, pairs.Count);
        Assert.DoesNotContain(((byte)0, (byte)1), pairs);
        Assert.Contains(((byte)1, (byte)0), pairs);
        Assert.DoesNotContain(((byte)2, (byte)3), pairs);
        Assert.DoesNotContain(((byte)3, (byte)2), pairs);

        received.Clear();
        network.Heal();
        network.Partition([0, 1], [2, 3], PartitionKind.Full);
        SendAll();
        scheduler.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(4, received.Count);
        Assert.All(received, r => Assert.Equal(r.Bytes[0] < 2, r.Bytes[1] < 2));
    }

    [Fact]
    public void Loss_duplication_and_reordering_follow_their_rates_and_a_dead_link_hears_nothing()
    {
        var (scheduler, network, received) = Build(2, new SimulatedNetworkOptions { LossRate = 0.2, DuplicationRate = 0.1, ReorderRate = 0.5 });
        const int Count = 5000;
        for (var i = 0; i < Count; i++)
        {
            network.Links[0].Send(network.Links[1].LocalEndPoint, BitConverter.GetBytes(i));
        }

        scheduler.RunFor(TimeSpan.FromSeconds(2));
        var numbers = received.Select(r => BitConverter.ToInt32(r.Bytes)).ToList();
        var distinct = numbers.Distinct().Count();
        Assert.InRange(distinct, Count * 0.75, Count * 0.85);
        Assert.InRange(numbers.Count - distinct, distinct * 0.07, distinct * 0.13);
        Assert.NotEqual(numbers.Order().ToList(), numbers); // some frames overtook others

        received.Clear();
        network.Options = new SimulatedNetworkOptions();
        network.Links[1].IsAlive = false;
        network.Links[0].Send(network.Links[1].LocalEndPoint, new byte[] { 1 });
        scheduler.RunFor(TimeSpan.FromSeconds(1));
        Assert.Empty(received);
    }
}
