using System.Buffers;

namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>
/// Glacier's erasure code (Glacier §4.2: an object becomes n fragments, any m of which restore
/// it; ePOST ran n = 48, m = 5): a systematic Reed-Solomon code over GF(2^8) with a Cauchy
/// generator. Fragments 0..m-1 are the data shards themselves, m..n-1 are parity; since every
/// m x m submatrix of the generator is invertible, ANY m distinct fragments decode. The generator
/// is ISA-L's gf_gen_cauchy1_matrix, so parity is byte-identical to ISA-L's ec_encode_data.
/// Thread-safe; the shard loops allocate nothing (buffers are pooled).
/// </summary>
public sealed unsafe class ReedSolomonCode
{
    /// <summary>The largest n: the Cauchy points i ^ j must stay distinct bytes.</summary>
    public const int MaxTotalFragments = 255;

    private readonly byte[] _generator;
    private readonly DecodeMatrixCache _decodeMatrices = new(capacity: 16);
    private byte[]? _encodeTables;

    /// <summary>A code making <paramref name="totalFragments"/> (n) fragments of which any <paramref name="dataFragments"/> (m) decode.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 1 &lt;= m &lt;= n &lt;= 255.</exception>
    public ReedSolomonCode(int dataFragments, int totalFragments)
        : this(dataFragments, totalFragments, GfKernels.Best)
    {
    }

    /// <summary>The same code computed by a chosen kernel (tests compare every kernel to the scalar one).</summary>
    internal ReedSolomonCode(int dataFragments, int totalFragments, ErasureKernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dataFragments, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(totalFragments, MaxTotalFragments);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalFragments, dataFragments);
        if (!GfKernels.IsSupported(kernel))
        {
            throw new PlatformNotSupportedException($"The {kernel} erasure kernel needs instructions this processor lacks.");
        }

        DataFragments = dataFragments;
        TotalFragments = totalFragments;
        Kernel = kernel;
        _generator = GfMatrix.CauchyGenerator(dataFragments, totalFragments);
    }

    /// <summary>m: data shards, and the number of fragments any set of which decodes.</summary>
    public int DataFragments { get; }

    /// <summary>n: fragments made.</summary>
    public int TotalFragments { get; }

    /// <summary>n - m: parity fragments.</summary>
    public int ParityFragments => TotalFragments - DataFragments;

    /// <summary>The kernel that multiplies shards.</summary>
    internal ErasureKernel Kernel { get; }

    /// <summary>Generator coefficient of fragment <paramref name="fragment"/> for data shard <paramref name="dataShard"/>.</summary>
    public byte GeneratorCoefficient(int fragment, int dataShard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fragment);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fragment, TotalFragments);
        ArgumentOutOfRangeException.ThrowIfNegative(dataShard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(dataShard, DataFragments);
        return _generator[(fragment * DataFragments) + dataShard];
    }

    /// <summary>
    /// Computes the n - m parity fragments of m equal-length data shards. Parity buffers are
    /// overwritten and must not overlap the data or each other.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong shard counts, unequal lengths or overlapping buffers.</exception>
    public void Encode(ReadOnlySpan<ReadOnlyMemory<byte>> data, ReadOnlySpan<Memory<byte>> parity)
    {
        var m = DataFragments;
        if (data.Length != m)
        {
            throw new ArgumentException($"Encoding takes {m} data shards; {data.Length} were given.", nameof(data));
        }

        if (parity.Length != ParityFragments)
        {
            throw new ArgumentException($"Encoding makes {ParityFragments} parity fragments; {parity.Length} buffers were given.", nameof(parity));
        }

        var length = data[0].Length;
        for (var j = 1; j < m; j++)
        {
            if (data[j].Length != length)
            {
                throw new ArgumentException($"Data shard {j} has {data[j].Length} bytes, shard 0 has {length}.", nameof(data));
            }
        }

        for (var r = 0; r < parity.Length; r++)
        {
            if (parity[r].Length != length)
            {
                throw new ArgumentException($"Parity buffer {r} has {parity[r].Length} bytes; the shards have {length}.", nameof(parity));
            }
        }

        CheckNoOverlap(data, parity, nameof(parity));
        Combine(_generator.AsSpan(m * m), ParityFragments, data, parity, length, EncodeTables());
    }

    /// <summary>
    /// Reconstructs the m data shards from the first m of <paramref name="presentShards"/>, whose
    /// fragment indexes are <paramref name="presentIndexes"/>. Data shards among them are copied,
    /// the others computed.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than m fragments, an index out of range or repeated, unequal lengths, or overlapping buffers.</exception>
    public void Decode(ReadOnlySpan<int> presentIndexes, ReadOnlySpan<ReadOnlyMemory<byte>> presentShards, ReadOnlySpan<Memory<byte>> dataOut)
    {
        if (dataOut.Length != DataFragments)
        {
            throw new ArgumentException($"Decoding fills {DataFragments} data shards; {dataOut.Length} buffers were given.", nameof(dataOut));
        }

        Span<int> wanted = stackalloc int[DataFragments];
        for (var i = 0; i < wanted.Length; i++)
        {
            wanted[i] = i;
        }

        ReconstructFragments(presentIndexes, presentShards, wanted, dataOut);
    }

    /// <summary>
    /// Rebuilds the fragments <paramref name="wantedIndexes"/> (data or parity, e.g. the ones a
    /// Glacier holder lost) from the first m of the present ones, byte-identical to what
    /// <see cref="Encode"/> made. A wanted fragment that is among those m is copied.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than m fragments, an index out of range or repeated, unequal lengths, or overlapping buffers.</exception>
    public void ReconstructFragments(ReadOnlySpan<int> presentIndexes, ReadOnlySpan<ReadOnlyMemory<byte>> presentShards, ReadOnlySpan<int> wantedIndexes, ReadOnlySpan<Memory<byte>> wantedOut)
    {
        var m = DataFragments;
        var length = CheckPresent(presentIndexes, presentShards);
        CheckWanted(wantedIndexes, wantedOut, length);
        var survivors = presentIndexes[..m];
        var inputs = presentShards[..m];

        var computed = 0;
        foreach (var w in wantedIndexes)
        {
            if (!survivors.Contains(w))
            {
                computed++;
            }
        }

        if (computed > 0)
        {
            var inverse = Inverse(survivors);
            var coefficients = ArrayPool<byte>.Shared.Rent(computed * m);
            var outputs = ArrayPool<Memory<byte>>.Shared.Rent(computed);
            var tableSize = computed * m * GfKernels.TableBytes(Kernel);
            var tables = ArrayPool<byte>.Shared.Rent(tableSize);
            try
            {
                var row = 0;
                for (var i = 0; i < wantedIndexes.Length; i++)
                {
                    var w = wantedIndexes[i];
                    if (survivors.Contains(w))
                    {
                        continue;
                    }

                    // Survivors = G[survivors] * data, so data = inverse * survivors and fragment
                    // w = G[w] * inverse * survivors: one row of coefficients over the survivors.
                    var coefficientRow = coefficients.AsSpan(row * m, m);
                    if (w < m)
                    {
                        inverse.AsSpan(w * m, m).CopyTo(coefficientRow);
                    }
                    else
                    {
                        GfMatrix.MultiplyRow(_generator.AsSpan(w * m, m), inverse, m, coefficientRow);
                    }

                    outputs[row++] = wantedOut[i];
                }

                var outputSpan = outputs.AsSpan(0, computed);
                CheckNoOverlap(inputs, outputSpan, nameof(wantedOut));
                GfKernels.WriteTables(Kernel, coefficients.AsSpan(0, computed * m), computed, m, tables.AsSpan(0, tableSize));
                Combine(coefficients.AsSpan(0, computed * m), computed, inputs, outputSpan, length, tables.AsSpan(0, tableSize));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(tables);
                Array.Clear(outputs, 0, computed);
                ArrayPool<Memory<byte>>.Shared.Return(outputs);
                ArrayPool<byte>.Shared.Return(coefficients);
            }
        }

        // Copies last: a copy's target may be another wanted fragment's survivor only if the caller
        // aliased buffers, which CheckWanted and CheckNoOverlap reject for computed ones.
        for (var i = 0; i < wantedIndexes.Length; i++)
        {
            var p = survivors.IndexOf(wantedIndexes[i]);
            if (p >= 0)
            {
                inputs[p].Span.CopyTo(wantedOut[i].Span);
            }
        }
    }

    // Validates the present fragments and returns their common length.
    private int CheckPresent(ReadOnlySpan<int> presentIndexes, ReadOnlySpan<ReadOnlyMemory<byte>> presentShards)
    {
        if (presentIndexes.Length != presentShards.Length)
        {
            throw new ArgumentException($"{presentIndexes.Length} indexes were given for {presentShards.Length} fragments.", nameof(presentShards));
        }

        if (presentIndexes.Length < DataFragments)
        {
            throw new ArgumentException(
                $"Decoding needs at least {DataFragments} of the {TotalFragments} fragments; only {presentIndexes.Length} were given.",
                nameof(presentIndexes));
        }

        Span<bool> seen = stackalloc bool[MaxTotalFragments];
        var length = presentShards[0].Length;
        for (var i = 0; i < presentIndexes.Length; i++)
        {
            var index = presentIndexes[i];
            if ((uint)index >= (uint)TotalFragments)
            {
                throw new ArgumentException($"Fragment index {index} is outside [0, {TotalFragments}).", nameof(presentIndexes));
            }

            if (seen[index])
            {
                throw new ArgumentException($"Fragment {index} is given twice.", nameof(presentIndexes));
            }

            seen[index] = true;
            if (presentShards[i].Length != length)
            {
                throw new ArgumentException($"Fragment {index} has {presentShards[i].Length} bytes, fragment {presentIndexes[0]} has {length}.", nameof(presentShards));
            }
        }

        return length;
    }

    private void CheckWanted(ReadOnlySpan<int> wantedIndexes, ReadOnlySpan<Memory<byte>> wantedOut, int length)
    {
        if (wantedIndexes.Length != wantedOut.Length)
        {
            throw new ArgumentException($"{wantedIndexes.Length} fragments are wanted but {wantedOut.Length} buffers were given.", nameof(wantedOut));
        }

        Span<bool> seen = stackalloc bool[MaxTotalFragments];
        for (var i = 0; i < wantedIndexes.Length; i++)
        {
            var index = wantedIndexes[i];
            if ((uint)index >= (uint)TotalFragments)
            {
                throw new ArgumentException($"Wanted fragment index {index} is outside [0, {TotalFragments}).", nameof(wantedIndexes));
            }

            if (seen[index])
            {
                throw new ArgumentException($"Fragment {index} is wanted twice.", nameof(wantedIndexes));
            }

            seen[index] = true;
            if (wantedOut[i].Length != length)
            {
                throw new ArgumentException($"The buffer for fragment {index} has {wantedOut[i].Length} bytes; fragments have {length}.", nameof(wantedOut));
            }
        }
    }

    // Outputs are written vector by vector while inputs are still being read (and the ragged end
    // rewrites a few bytes), so no output may share memory with an input or another output.
    private static void CheckNoOverlap(ReadOnlySpan<ReadOnlyMemory<byte>> inputs, ReadOnlySpan<Memory<byte>> outputs, string parameter)
    {
        for (var r = 0; r < outputs.Length; r++)
        {
            ReadOnlySpan<byte> output = outputs[r].Span;
            foreach (var input in inputs)
            {
                if (output.Overlaps(input.Span))
                {
                    throw new ArgumentException("An output buffer overlaps an input shard.", parameter);
                }
            }

            for (var s = r + 1; s < outputs.Length; s++)
            {
                if (output.Overlaps(outputs[s].Span))
                {
                    throw new ArgumentException("Two output buffers overlap.", parameter);
                }
            }
        }
    }

    private byte[] Inverse(ReadOnlySpan<int> survivors)
    {
        var m = DataFragments;
        var cached = _decodeMatrices.Find(survivors);
        if (cached is not null)
        {
            return cached;
        }

        var sub = ArrayPool<byte>.Shared.Rent(m * m);
        try
        {
            for (var i = 0; i < m; i++)
            {
                _generator.AsSpan(survivors[i] * m, m).CopyTo(sub.AsSpan(i * m, m));
            }

            var inverse = new byte[m * m];
            if (!GfMatrix.TryInvert(sub.AsSpan(0, m * m), inverse, m))
            {
                // Cannot happen: every m rows of a Cauchy-extended identity are independent.
                throw new InvalidOperationException("The survivor matrix is singular.");
            }

            _decodeMatrices.Add(survivors, inverse);
            return inverse;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sub);
        }
    }

    private byte[] EncodeTables()
    {
        var tables = Volatile.Read(ref _encodeTables);
        if (tables is null)
        {
            var m = DataFragments;
            tables = new byte[ParityFragments * m * GfKernels.TableBytes(Kernel)];
            GfKernels.WriteTables(Kernel, _generator.AsSpan(m * m), ParityFragments, m, tables);
            tables = Interlocked.CompareExchange(ref _encodeTables, tables, null) ?? tables;
        }

        return tables;
    }

    // Runs the kernel over the shards: outputs[r] = sum_j coefficients[r, j] * inputs[j].
    private void Combine(ReadOnlySpan<byte> coefficients, int rows, ReadOnlySpan<ReadOnlyMemory<byte>> inputs, ReadOnlySpan<Memory<byte>> outputs, int length, ReadOnlySpan<byte> tables)
    {
        if (rows == 0 || length == 0)
        {
            return;
        }

        var pointers = stackalloc byte*[inputs.Length + rows];
        var call = new KernelCall(Kernel, coefficients, tables, inputs, outputs, pointers, length);
        PinAndRun(in call, 0);
    }

    // Pins shard i with `fixed` and recurses for the next, so all shards stay pinned while the
    // kernel runs. A fixed local costs nothing (the GC reads it from the frame) where Memory.Pin
    // takes a GCHandle per shard, about 1 us for a (48, 5) decode. Depth is at most m + n.
    private static void PinAndRun(in KernelCall call, int i)
    {
        var k = call.Inputs.Length;
        if (i == k + call.Outputs.Length)
        {
            GfKernels.DotProduct(call.Kernel, call.Coefficients, call.Tables, call.Outputs.Length, k, call.Pointers, call.Pointers + k, call.Length);
            return;
        }

        ReadOnlySpan<byte> shard = i < k ? call.Inputs[i].Span : call.Outputs[i - k].Span;
        fixed (byte* p = shard)
        {
            call.Pointers[i] = p;
            PinAndRun(in call, i + 1);
        }
    }

    private readonly ref struct KernelCall(
        ErasureKernel kernel,
        ReadOnlySpan<byte> coefficients,
        ReadOnlySpan<byte> tables,
        ReadOnlySpan<ReadOnlyMemory<byte>> inputs,
        ReadOnlySpan<Memory<byte>> outputs,
        byte** pointers,
        int length)
    {
        public ErasureKernel Kernel { get; } = kernel;

        public ReadOnlySpan<byte> Coefficients { get; } = coefficients;

        public ReadOnlySpan<byte> Tables { get; } = tables;

        public ReadOnlySpan<ReadOnlyMemory<byte>> Inputs { get; } = inputs;

        public ReadOnlySpan<Memory<byte>> Outputs { get; } = outputs;

        public byte** Pointers { get; } = pointers;

        public int Length { get; } = length;
    }
}
