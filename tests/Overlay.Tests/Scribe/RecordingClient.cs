using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Scribe;

namespace EPostEdge.Overlay.Tests.Scribe;

/// <summary>A member that records what reaches it and accepts anycasts when told to.</summary>
internal sealed class RecordingClient(bool acceptsAnycast = true) : IScribeClient
{
    public List<byte[]> Multicasts { get; } = [];

    public List<byte[]> AnycastOffers { get; } = [];

    public int AnycastsAccepted { get; private set; }

    public bool AcceptsAnycast { get; set; } = acceptsAnycast;

    public void DeliverMulticast(NodeId group, ReadOnlyMemory<byte> payload) => Multicasts.Add(payload.ToArray());

    public bool DeliverAnycast(NodeId group, ReadOnlyMemory<byte> payload)
    {
        AnycastOffers.Add(payload.ToArray());
        if (AcceptsAnycast)
        {
            AnycastsAccepted++;
        }

        return AcceptsAnycast;
    }
}
