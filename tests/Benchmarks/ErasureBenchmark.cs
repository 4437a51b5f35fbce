using System.Diagnostics;
using EPostEdge.Storage.Glacier.Erasure;

namespace EPostEdge.Benchmarks;

/// <summary>
/// Glacier's erasure code, one thread, against the same work done by ISA-L: encode, and decode
/// with all data lost (m parity survivors, m rows computed) and with random survivors (only the
/// missing data rows computed). MB/s counts ORIGINAL data (m x fragment bytes per stripe), as
/// shared/bench/isal/ec_bench.c does; decode figures include the per-stripe setup (survivor
/// matrix inversion, tables) over a pool of 64 survivor sets, which overflows our 16-entry cache.
/// ISA-L is also timed here through P/Invoke, for (10, 4), which ec_bench has no option for, and
/// for (48, 5), to check this harness against ec_bench.
/// </summary>
internal static unsafe class ErasureBenchmark
{
    private const int FragmentSize = 65536;
    private const int PoolSize = 64;
    private static readonly (int N, int M)[] Cases = [(48, 5), (10, 4)];

    public static void Run(double seconds, string kernels, bool aligned)
    {
        var kinds = kernels switch
        {
            "best" => [GfKernels.Best],
            "all" => Enum.GetValues<ErasureKernel>().Where(GfKernels.IsSupported).Reverse().ToArray(),
            _ => kernels.Split(',').Select(Enum.Parse<ErasureKernel>).ToArray(),
        };
        Console.WriteLine();
        Console.WriteLine($"erasure code: fragment {FragmentSize} B, {seconds:0.##} s per figure, one thread, buffers {(aligned ? "64-byte aligned" : "plain byte[]")}, best kernel {GfKernels.Best}");
        foreach (var kind in kinds)
        {
            foreach (var (n, m) in Cases)
            {
                Ours(kind, n, m, seconds, aligned);
            }
        }

        if (!IsalErasure.IsAvailable())
        {
            Console.WriteLine("isal-pinvoke unavailable: libisal.so.2 not found (apt-get install libisal2)");
            return;
        }

        foreach (var (n, m) in Cases)
        {
            Isal(n, m, seconds);
        }
    }

    private static void Ours(ErasureKernel kind, int n, int m, double seconds, bool aligned)
    {
        var code = new ReedSolomonCode(m, n, kind);
        var random = new Random((n * 1000) + m);
        var fragments = Enumerable.Range(0, n).Select(_ => Allocate(aligned)).ToArray();
        foreach (var f in fragments.Take(m))
        {
            random.NextBytes(f.Span);
        }

        var data = fragments.Take(m).Select(f => (ReadOnlyMemory<byte>)f).ToArray();
        var parity = fragments.Skip(m).ToArray();
        var (iterations, elapsed) = Timed(seconds, () => code.Encode(data, parity));
        Report("ours", "encode", n, m, iterations, elapsed, $"kernel={kind}");

        var outputs = Enumerable.Range(0, m).Select(_ => Allocate(aligned)).ToArray();
        foreach (var mode in new[] { "all", "random" })
        {
            var pool = SurvivorPool(n, m, parityOnly: mode == "all", random);
            var shards = pool.Select(set => set.Select(i => (ReadOnlyMemory<byte>)fragments[i]).ToArray()).ToArray();
            foreach (var (set, setShards) in pool.Zip(shards))
            {
                code.Decode(set, setShards, outputs);
                for (var i = 0; i < m; i++)
                {
                    if (!outputs[i].Span.SequenceEqual(fragments[i].Span))
                    {
                        throw new InvalidOperationException($"decode ({n},{m}) with {kind} is wrong");
                    }
                }
            }

            var next = 0;
            (iterations, elapsed) = Timed(seconds, () =>
            {
                code.Decode(pool[next], shards[next], outputs);
                next = (next + 1) % pool.Length;
            });
            var rows = pool.Average(set => Enumerable.Range(0, m).Count(e => Array.IndexOf(set, e) < 0));
            Report("ours", "decode", n, m, iterations, elapsed, $"mode={mode} avg_rows={rows:0.00} kernel={kind}");
        }
    }

    // The same work through ISA-L: ec_init_tables once for encode; per decode stripe the survivor
    // rows of gf_gen_cauchy1_matrix, gf_invert_matrix and ec_init_tables, as ec_bench does.
    private static void Isal(int n, int m, double seconds)
    {
        var parityCount = n - m;
        var random = new Random((n * 1000) + m);
        var a = new byte[n * m];
        var encodeTables = new byte[32 * m * parityCount];
        var fragments = Enumerable.Range(0, n).Select(_ => Allocate(aligned: true)).ToArray();
        foreach (var f in fragments.Take(m))
        {
            random.NextBytes(f.Span);
        }

        var outputs = Enumerable.Range(0, m).Select(_ => Allocate(aligned: true)).ToArray();
        var handles = fragments.Concat(outputs).Select(f => f.Pin()).ToArray();
        try
        {
            var pointers = new nint[n];
            var outPointers = new nint[m];
            for (var i = 0; i < n; i++)
            {
                pointers[i] = (nint)handles[i].Pointer;
            }

            for (var i = 0; i < m; i++)
            {
                outPointers[i] = (nint)handles[n + i].Pointer;
            }

            fixed (byte* ap = a, tp = encodeTables)
            fixed (nint* fp = pointers, op = outPointers)
            {
                IsalErasure.GenCauchy1Matrix(ap, n, m);
                IsalErasure.InitTables(m, parityCount, ap + (m * m), tp);

                // Our parity must be ISA-L's: same field, same generator.
                var ours = new byte[parityCount][];
                for (var i = 0; i < parityCount; i++)
                {
                    ours[i] = new byte[FragmentSize];
                }

                new ReedSolomonCode(m, n).Encode(fragments.Take(m).Select(f => (ReadOnlyMemory<byte>)f).ToArray(), ours.Select(p => (Memory<byte>)p).ToArray());
                IsalErasure.EncodeData(FragmentSize, m, parityCount, tp, (byte**)fp, (byte**)(fp + m));
                var same = Enumerable.Range(0, parityCount).All(i => ours[i].AsSpan().SequenceEqual(fragments[m + i].Span));

                // Copies of the fixed pointers for the timed closures (all run inside this block).
                var a0 = ap;
                var tables = tp;
                var frags = (byte**)fp;
                var outs = (byte**)op;
                var (iterations, elapsed) = Timed(seconds, () => IsalErasure.EncodeData(FragmentSize, m, parityCount, tables, frags, frags + m));
                Report("isal-pinvoke", "encode", n, m, iterations, elapsed, $"parity_equals_ours={(same ? "yes" : "NO")}");

                var sub = new byte[m * m];
                var inverse = new byte[m * m];
                var decodeMatrix = new byte[m * m];
                var decodeTables = new byte[32 * m * m];
                var sources = new nint[m];
                foreach (var mode in new[] { "all", "missing" })
                {
                    var pool = SurvivorPool(n, m, parityOnly: mode == "all", random);
                    var next = 0;
                    var bad = 0;
                    void Stripe(bool verify)
                    {
                        var set = pool[next];
                        next = (next + 1) % pool.Length;
                        fixed (byte* s = sub, inv = inverse, dm = decodeMatrix, dt = decodeTables)
                        fixed (nint* src = sources)
                        {
                            for (var i = 0; i < m; i++)
                            {
                                new ReadOnlySpan<byte>(a0 + (set[i] * m), m).CopyTo(sub.AsSpan(i * m, m));
                                src[i] = pointers[set[i]];
                            }

                            if (IsalErasure.InvertMatrix(s, inv, m) != 0)
                            {
                                throw new InvalidOperationException("singular");
                            }

                            var rows = 0;
                            Span<int> produced = stackalloc int[m];
                            for (var e = 0; e < m; e++)
                            {
                                if (mode == "missing" && Array.IndexOf(set, e) >= 0)
                                {
                                    continue;
                                }

                                inverse.AsSpan(e * m, m).CopyTo(decodeMatrix.AsSpan(rows * m, m));
                                produced[rows++] = e;
                            }

                            if (rows > 0)
                            {
                                IsalErasure.InitTables(m, rows, dm, dt);
                                IsalErasure.EncodeData(FragmentSize, m, rows, dt, (byte**)src, outs);
                            }

                            for (var r = 0; verify && r < rows; r++)
                            {
                                if (!outputs[r].Span.SequenceEqual(fragments[produced[r]].Span))
                                {
                                    bad++;
                                }
                            }
                        }
                    }

                    for (var i = 0; i < pool.Length; i++)
                    {
                        Stripe(verify: true);
                    }

                    (iterations, elapsed) = Timed(seconds, () => Stripe(verify: false));
                    Report("isal-pinvoke", "decode", n, m, iterations, elapsed, $"mode={mode} verify={(bad == 0 ? "ok" : "FAIL")}");
                }
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }
        }
    }

    // PoolSize random survivor sets of m distinct fragments (parity only for "all data lost").
    private static int[][] SurvivorPool(int n, int m, bool parityOnly, Random random)
    {
        var candidates = parityOnly ? Enumerable.Range(m, n - m).ToArray() : Enumerable.Range(0, n).ToArray();
        return Enumerable.Range(0, PoolSize).Select(_ =>
        {
            random.Shuffle(candidates);
            return candidates[..m].Order().ToArray();
        }).ToArray();
    }

    // A fragment buffer: 64-byte aligned in pinned memory (like ec_bench's posix_memalign), or a
    // plain array as Glacier would hand in.
    private static Memory<byte> Allocate(bool aligned)
    {
        if (!aligned)
        {
            return new byte[FragmentSize];
        }

        var backing = GC.AllocateUninitializedArray<byte>(FragmentSize + 64, pinned: true);
        fixed (byte* p = backing)
        {
            var offset = (int)((64 - ((nint)p & 63)) & 63);
            var memory = backing.AsMemory(offset, FragmentSize);
            memory.Span.Clear();
            return memory;
        }
    }

    // ec_bench's TIMED_LOOP: warm up for 5 % of the time (at least 0.2 s, for the JIT's tiers),
    // then run doubling batches until the time is up.
    private static (long Iterations, double Seconds) Timed(double seconds, Action body)
    {
        var watch = Stopwatch.StartNew();
        do
        {
            body();
        }
        while (watch.Elapsed.TotalSeconds < Math.Max(0.2, seconds * 0.05));

        long iterations = 0, batch = 1;
        watch.Restart();
        while (true)
        {
            for (var i = 0; i < batch; i++)
            {
                body();
            }

            iterations += batch;
            var elapsed = watch.Elapsed.TotalSeconds;
            if (elapsed >= seconds)
            {
                return (iterations, elapsed);
            }

            if (elapsed < seconds / 100)
            {
                batch *= 2;
            }
        }
    }

    private static void Report(string who, string what, int n, int m, long iterations, double seconds, string extra)
    {
        var megabytes = (double)iterations * m * FragmentSize / 1e6;
        Console.WriteLine($"{who} {what} n={n} k={m} frag={FragmentSize} MBps={megabytes / seconds:0.0} iters={iterations} secs={seconds:0.000} {extra}");
    }
}
