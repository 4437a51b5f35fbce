using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>Serialises an <see cref="IRandomSource"/> (a seeded one is not thread-safe) for the many sessions of the mail store.</summary>
internal sealed class SynchronizedRandomSource(IRandomSource inner) : IRandomSource
{
    private readonly Lock _lock = new();

    public void NextBytes(Span<byte> destination)
    {
        lock (_lock)
        {
            inner.NextBytes(destination);
        }
    }

    public ulong NextUInt64()
    {
        lock (_lock)
        {
            return inner.NextUInt64();
        }
    }

    public int NextInt32(int maxExclusive)
    {
        lock (_lock)
        {
            return inner.NextInt32(maxExclusive);
        }
    }

    public double NextDouble()
    {
        lock (_lock)
        {
            return inner.NextDouble();
        }
    }
}
