namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>
/// An object's bytes to and from Glacier's n fragments (Glacier §4.2). The object is cut into m
/// data shards of ceil(length / m) bytes, the last one zero-padded, and the code adds n - m parity
/// shards; any m fragments give back exactly the original bytes given the original length, which
/// the manifest records (the padding is not part of the object). Fragment i is shard i.
/// Integrity is not checked here: the manifest layer verifies fragments by hash and passes only
/// good ones.
/// </summary>
public sealed class FragmentSplitter
{
    /// <summary>A splitter for a code with m = <paramref name="dataFragments"/>, n = <paramref name="totalFragments"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 1 &lt;= m &lt;= n &lt;= 255.</exception>
    public FragmentSplitter(int dataFragments, int totalFragments)
        : this(new ReedSolomonCode(dataFragments, totalFragments))
    {
    }

    /// <summary>A splitter over an existing code.</summary>
    public FragmentSplitter(ReedSolomonCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        Code = code;
    }

    /// <summary>The erasure code.</summary>
    public ReedSolomonCode Code { get; }

    /// <summary>
    /// The length of every fragment of an object of <paramref name="objectLength"/> bytes:
    /// ceil(length / m). No rounding to the vector width: the kernels handle a ragged end.
    /// </summary>
    public int FragmentLength(int objectLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(objectLength);
        var m = Code.DataFragments;
        return (int)(((long)objectLength + m - 1) / m);
    }

    /// <summary>The n fragments of <paramref name="obj"/>, each <see cref="FragmentLength"/> bytes.</summary>
    public byte[][] Split(ReadOnlySpan<byte> obj)
    {
        var m = Code.DataFragments;
        var n = Code.TotalFragments;
        var length = FragmentLength(obj.Length);
        var fragments = new byte[n][];
        var data = new ReadOnlyMemory<byte>[m];
        var parity = new Memory<byte>[n - m];
        for (var i = 0; i < n; i++)
        {
            fragments[i] = new byte[length];
            if (i < m)
            {
                var start = Math.Min(i * length, obj.Length);
                var count = Math.Min(length, obj.Length - start);
                obj.Slice(start, count).CopyTo(fragments[i]);
                data[i] = fragments[i];
            }
            else
            {
                parity[i - m] = fragments[i];
            }
        }

        Code.Encode(data, parity);
        return fragments;
    }

    /// <summary>
    /// The original <paramref name="originalLength"/> bytes from any m (or more; the first m
    /// are used) distinct fragments given with their indexes.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Fewer than m fragments, a repeated or out-of-range index, or fragment lengths that do not
    /// fit <paramref name="originalLength"/>.
    /// </exception>
    public byte[] Join(IReadOnlyList<(int Index, ReadOnlyMemory<byte> Fragment)> fragments, int originalLength)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        ArgumentOutOfRangeException.ThrowIfNegative(originalLength);
        var m = Code.DataFragments;
        if (fragments.Count < m)
        {
            throw new ArgumentException(
                $"Restoring an object needs at least {m} of its {Code.TotalFragments} fragments; only {fragments.Count} were given.",
                nameof(fragments));
        }

        var length = FragmentLength(originalLength);
        var indexes = new int[m];
        var shards = new ReadOnlyMemory<byte>[m];
        for (var i = 0; i < m; i++)
        {
            (indexes[i], shards[i]) = fragments[i];
            if (shards[i].Length != length)
            {
                throw new ArgumentException(
                    $"Fragment {indexes[i]} has {shards[i].Length} bytes; an object of {originalLength} bytes has fragments of {length}.",
                    nameof(fragments));
            }
        }

        // Only the data shards the object reaches and the survivors lack are computed; a shard
        // cut by the object's end is computed into scratch and its prefix copied.
        var result = new byte[originalLength];
        var wanted = new List<int>(m);
        var outputs = new List<Memory<byte>>(m);
        var partial = -1;
        byte[]? scratch = null;
        for (var e = 0; e < m && e * length < originalLength; e++)
        {
            if (Array.IndexOf(indexes, e) >= 0)
            {
                continue;
            }

            wanted.Add(e);
            if ((e + 1) * (long)length <= originalLength)
            {
                outputs.Add(result.AsMemory(e * length, length));
            }
            else
            {
                partial = e;
                scratch = new byte[length];
                outputs.Add(scratch);
            }
        }

        // Validates the indexes even when every needed shard survived.
        Code.ReconstructFragments(indexes, shards, wanted.ToArray(), outputs.ToArray());
        for (var i = 0; i < m; i++)
        {
            var e = indexes[i];
            if (e < m && e * length < originalLength)
            {
                var count = Math.Min(length, originalLength - (e * length));
                shards[i].Span[..count].CopyTo(result.AsSpan(e * length));
            }
        }

        if (scratch is not null)
        {
            var start = partial * length;
            scratch.AsSpan(0, originalLength - start).CopyTo(result.AsSpan(start));
        }

        return result;
    }
}
