namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>
/// The inverted survivor matrices of the last few survivor sets. Glacier rebuilds many objects
/// from the same surviving holders after a failure, so the same set recurs; inverting is cheap for
/// small m (a few microseconds at m = 32) but the cache also spares the allocation.
/// </summary>
internal sealed class DecodeMatrixCache
{
    private readonly Lock _lock = new();
    private readonly int[][] _keys;
    private readonly byte[][] _inverses;
    private readonly long[] _used;
    private int _count;
    private long _clock;

    public DecodeMatrixCache(int capacity)
    {
        _keys = new int[capacity][];
        _inverses = new byte[capacity][];
        _used = new long[capacity];
    }

    /// <summary>The inverse cached for this survivor list (order matters), or null.</summary>
    public byte[]? Find(ReadOnlySpan<int> survivors)
    {
        lock (_lock)
        {
            for (var i = 0; i < _count; i++)
            {
                if (survivors.SequenceEqual(_keys[i]))
                {
                    _used[i] = ++_clock;
                    return _inverses[i];
                }
            }

            return null;
        }
    }

    /// <summary>Remembers an inverse, evicting the least recently used one when full.</summary>
    public void Add(ReadOnlySpan<int> survivors, byte[] inverse)
    {
        lock (_lock)
        {
            var slot = _count;
            if (_count == _keys.Length)
            {
                slot = 0;
                for (var i = 1; i < _count; i++)
                {
                    if (_used[i] < _used[slot])
                    {
                        slot = i;
                    }
                }
            }
            else
            {
                _count++;
            }

            _keys[slot] = survivors.ToArray();
            _inverses[slot] = inverse;
            _used[slot] = ++_clock;
        }
    }
}
