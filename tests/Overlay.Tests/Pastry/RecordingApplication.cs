using System.Collections.Concurrent;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>A KBR application that records what is delivered to its node (key, payload, hops).</summary>
internal sealed class RecordingApplication(NodeId self) : IKbrApplication
{
    public const ushort Id = 7;

    public NodeId Self { get; } = self;

    public ConcurrentQueue<(NodeId Key, byte[] Payload, int Hops, NodeId Source)> Delivered { get; } = new();

    public void Deliver(NodeId key, KbrMessage message) => Delivered.Enqueue((key, message.Payload.ToArray(), message.Hops, message.Source.Id));

    public bool Forward(NodeId key, ref KbrMessage message, ref NodeHandle nextHop) => true;
}
