using System.Collections.Concurrent;
using EPostEdge.Storage.Glacier.Erasure;

namespace EPostEdge.Storage.Glacier;

/// <summary>
/// The erasure code as the storage service uses it: whole objects to n fragments and back from any m.
/// One splitter per (n, m), since its generator matrix and decode cache are worth keeping.
/// </summary>
internal static class GlacierCode
{
    private static readonly ConcurrentDictionary<(int Total, int Needed), FragmentSplitter> Splitters = new();

    /// <summary>The n fragments of <paramref name="content"/> (deterministic: the same bytes give the same fragments).</summary>
    public static byte[][] Encode(byte[] content, int total, int needed) => Splitter(total, needed).Split(content);

    /// <summary>The object from at least m fragments; null when they do not decode.</summary>
    public static byte[]? Decode(IReadOnlyList<(int Index, byte[] Bytes)> fragments, int total, int needed, int length)
    {
        try
        {
            return Splitter(total, needed).Join(fragments.Select(f => (f.Index, (ReadOnlyMemory<byte>)f.Bytes)).ToList(), length);
        }
        catch (ArgumentException)
        {
            return null; // fragments of the wrong length for this object: a forged or mixed set
        }
    }

    private static FragmentSplitter Splitter(int total, int needed) => Splitters.GetOrAdd((total, needed), key => new FragmentSplitter(key.Needed, key.Total));
}
