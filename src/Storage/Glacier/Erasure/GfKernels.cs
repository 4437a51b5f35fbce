using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>
/// The erasure code's only hot loop: outputs[r] = sum over j of c[r, j] * inputs[j] over GF(2^8)
/// (ISA-L's ec_encode_data). Encoding is this with the generator's parity rows, decoding with rows
/// of the inverted survivor matrix. Like ISA-L's gf_Nvect_dot_prod, one pass over the inputs
/// produces several output rows whose running sums stay in registers, so each input vector is
/// loaded once per group of rows and each output vector is stored once.
/// </summary>
internal static unsafe class GfKernels
{
    // Output rows per pass over the inputs. Eight running sums plus the input, its nibbles, the
    // mask and two table temporaries fit in 16 vector registers (SSE/AVX2 without EVEX): the JIT's
    // listing of every specialisation shows no spills; ISA-L goes up to 6.
    private const int MaxRows = 8;

    /// <summary>The fastest kind this processor runs.</summary>
    public static ErasureKernel Best { get; } = ChooseBest();

    /// <summary>Whether the processor runs <paramref name="kind"/>.</summary>
    public static bool IsSupported(ErasureKernel kind) => kind switch
    {
        ErasureKernel.Scalar => true,
        ErasureKernel.Nibble128 => Nibble128Ops.IsSupported,
        ErasureKernel.Nibble256 => Nibble256Ops.IsSupported,
        ErasureKernel.Nibble512 => Nibble512Ops.IsSupported,
        ErasureKernel.Gfni256 => Gfni256Ops.IsSupported,
        ErasureKernel.Gfni512 => Gfni512Ops.IsSupported,
        _ => false,
    };

    /// <summary>Bytes of table per coefficient (0 for the scalar kind, which uses the product table).</summary>
    public static int TableBytes(ErasureKernel kind) => kind switch
    {
        ErasureKernel.Nibble128 => Nibble128Ops.TableBytes,
        ErasureKernel.Nibble256 => Nibble256Ops.TableBytes,
        ErasureKernel.Nibble512 => Nibble512Ops.TableBytes,
        ErasureKernel.Gfni256 => Gfni256Ops.TableBytes,
        ErasureKernel.Gfni512 => Gfni512Ops.TableBytes,
        _ => 0,
    };

    /// <summary>
    /// Expands a rows x k coefficient matrix (row-major) into the kind's tables, laid out input by
    /// input ([j][r]) so a group of rows finds its tables for one input side by side.
    /// </summary>
    public static void WriteTables(ErasureKernel kind, ReadOnlySpan<byte> coefficients, int rows, int k, Span<byte> tables)
    {
        var size = TableBytes(kind);
        if (size == 0)
        {
            return;
        }

        for (var j = 0; j < k; j++)
        {
            for (var r = 0; r < rows; r++)
            {
                var c = coefficients[(r * k) + j];
                var table = kind switch
                {
                    ErasureKernel.Nibble128 => Nibble128Ops.Table(c),
                    ErasureKernel.Nibble256 => Nibble256Ops.Table(c),
                    ErasureKernel.Nibble512 => Nibble512Ops.Table(c),
                    ErasureKernel.Gfni256 => Gfni256Ops.Table(c),
                    ErasureKernel.Gfni512 => Gfni512Ops.Table(c),
                    _ => throw new ArgumentOutOfRangeException(nameof(kind)),
                };
                table.CopyTo(tables[(((j * rows) + r) * size)..]);
            }
        }
    }

    /// <summary>
    /// outputs[r][0..length) = sum over j &lt; k of coefficients[r * k + j] * inputs[j][0..length).
    /// <paramref name="tables"/> holds <see cref="WriteTables"/> of the coefficients for
    /// <paramref name="kind"/>. Outputs must not overlap inputs (the last vector may be recomputed
    /// over bytes already written, which is only harmless then).
    /// </summary>
    public static void DotProduct(ErasureKernel kind, ReadOnlySpan<byte> coefficients, ReadOnlySpan<byte> tables, int rows, int k, byte** inputs, byte** outputs, int length)
    {
        if (rows == 0 || length == 0)
        {
            return;
        }

        fixed (byte* t = tables)
        {
            switch (kind)
            {
                case ErasureKernel.Nibble128 when length >= Nibble128Ops.Width:
                    Run<Nibble128Ops, Vector128<byte>>(rows, k, inputs, outputs, t, length);
                    return;
                case ErasureKernel.Nibble256 when length >= Nibble256Ops.Width:
                    Run<Nibble256Ops, Vector256<byte>>(rows, k, inputs, outputs, t, length);
                    return;
                case ErasureKernel.Nibble512 when length >= Nibble512Ops.Width:
                    Run<Nibble512Ops, Vector512<byte>>(rows, k, inputs, outputs, t, length);
                    return;
                case ErasureKernel.Gfni256 when length >= Gfni256Ops.Width:
                    Run<Gfni256Ops, Vector256<byte>>(rows, k, inputs, outputs, t, length);
                    return;
                case ErasureKernel.Gfni512 when length >= Gfni512Ops.Width:
                    Run<Gfni512Ops, Vector512<byte>>(rows, k, inputs, outputs, t, length);
                    return;
                default:
                    // Scalar, or shards shorter than one vector.
                    Scalar(coefficients, rows, k, inputs, outputs, length);
                    return;
            }
        }
    }

    /// <summary>The reference kernel: one byte at a time through the 64 KiB product table.</summary>
    public static void Scalar(ReadOnlySpan<byte> coefficients, int rows, int k, byte** inputs, byte** outputs, int length)
    {
        var products = GaloisField.Products;
        for (var r = 0; r < rows; r++)
        {
            var output = new Span<byte>(outputs[r], length);
            for (var j = 0; j < k; j++)
            {
                var input = new ReadOnlySpan<byte>(inputs[j], length);
                var row = products.Slice(coefficients[(r * k) + j] << 8, 256);
                if (j == 0)
                {
                    for (var i = 0; i < output.Length; i++)
                    {
                        output[i] = row[input[i]];
                    }
                }
                else
                {
                    for (var i = 0; i < output.Length; i++)
                    {
                        output[i] ^= row[input[i]];
                    }
                }
            }
        }
    }

    private static ErasureKernel ChooseBest()
    {
        // GFNI does in one instruction what the nibble kernels do in five (two lookups, shift,
        // two masks); wider beats narrower where the JIT says the width is accelerated.
        foreach (var kind in new[] { ErasureKernel.Gfni512, ErasureKernel.Nibble512, ErasureKernel.Gfni256, ErasureKernel.Nibble256, ErasureKernel.Nibble128 })
        {
            if (IsSupported(kind))
            {
                return kind;
            }
        }

        return ErasureKernel.Scalar;
    }

    // Splits the rows into the fewest groups of at most MaxRows, as even as possible (43 rows ->
    // 8,7,7,7,7,7 rather than five 8s and a 3).
    private static void Run<TOps, TVec>(int rows, int k, byte** inputs, byte** outputs, byte* tables, nint length)
        where TOps : struct, IGfVectorOps<TVec>
        where TVec : struct
    {
        var tableBytes = TOps.TableBytes;
        nint stride = rows * tableBytes;
        var groups = (rows + MaxRows - 1) / MaxRows;
        var row = 0;
        for (var g = 0; g < groups; g++)
        {
            var size = (rows - row + (groups - g) - 1) / (groups - g);
            var t = tables + (row * tableBytes);
            var o = outputs + row;
            switch (size)
            {
                case 1: DotRows<TOps, TVec, Rows1>(inputs, k, o, t, stride, length); break;
                case 2: DotRows<TOps, TVec, Rows2>(inputs, k, o, t, stride, length); break;
                case 3: DotRows<TOps, TVec, Rows3>(inputs, k, o, t, stride, length); break;
                case 4: DotRows<TOps, TVec, Rows4>(inputs, k, o, t, stride, length); break;
                case 5: DotRows<TOps, TVec, Rows5>(inputs, k, o, t, stride, length); break;
                case 6: DotRows<TOps, TVec, Rows6>(inputs, k, o, t, stride, length); break;
                case 7: DotRows<TOps, TVec, Rows7>(inputs, k, o, t, stride, length); break;
                default: DotRows<TOps, TVec, Rows8>(inputs, k, o, t, stride, length); break;
            }

            row += size;
        }
    }

    // One group of TRows output rows. The row count is a JIT-time constant, so the unused
    // accumulators and their branches vanish from each specialisation. length >= TOps.Width; a
    // ragged end is handled by recomputing the last whole vector ending at length.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRows<TOps, TVec, TRows>(byte** inputs, int k, byte** outputs, byte* tables, nint stride, nint length)
        where TOps : struct, IGfVectorOps<TVec>
        where TVec : struct
        where TRows : struct, IRowCount
    {
        nint width = TOps.Width;
        nint tb = TOps.TableBytes;
        var n = TRows.Count;
        byte* o0 = outputs[0], o1 = n > 1 ? outputs[1] : null, o2 = n > 2 ? outputs[2] : null, o3 = n > 3 ? outputs[3] : null;
        byte* o4 = n > 4 ? outputs[4] : null, o5 = n > 5 ? outputs[5] : null, o6 = n > 6 ? outputs[6] : null, o7 = n > 7 ? outputs[7] : null;
        nint pos = 0;
        while (true)
        {
            TOps.Prepare(TOps.Load(inputs[0] + pos), out var low, out var high);
            var t = tables;
            var a0 = TOps.Multiply(low, high, t);
            var a1 = n > 1 ? TOps.Multiply(low, high, t + tb) : a0;
            var a2 = n > 2 ? TOps.Multiply(low, high, t + (2 * tb)) : a0;
            var a3 = n > 3 ? TOps.Multiply(low, high, t + (3 * tb)) : a0;
            var a4 = n > 4 ? TOps.Multiply(low, high, t + (4 * tb)) : a0;
            var a5 = n > 5 ? TOps.Multiply(low, high, t + (5 * tb)) : a0;
            var a6 = n > 6 ? TOps.Multiply(low, high, t + (6 * tb)) : a0;
            var a7 = n > 7 ? TOps.Multiply(low, high, t + (7 * tb)) : a0;
            for (var j = 1; j < k; j++)
            {
                t += stride;
                TOps.Prepare(TOps.Load(inputs[j] + pos), out low, out high);
                a0 = TOps.Xor(a0, TOps.Multiply(low, high, t));
                if (n > 1)
                {
                    a1 = TOps.Xor(a1, TOps.Multiply(low, high, t + tb));
                }

                if (n > 2)
                {
                    a2 = TOps.Xor(a2, TOps.Multiply(low, high, t + (2 * tb)));
                }

                if (n > 3)
                {
                    a3 = TOps.Xor(a3, TOps.Multiply(low, high, t + (3 * tb)));
                }

                if (n > 4)
                {
                    a4 = TOps.Xor(a4, TOps.Multiply(low, high, t + (4 * tb)));
                }

                if (n > 5)
                {
                    a5 = TOps.Xor(a5, TOps.Multiply(low, high, t + (5 * tb)));
                }

                if (n > 6)
                {
                    a6 = TOps.Xor(a6, TOps.Multiply(low, high, t + (6 * tb)));
                }

                if (n > 7)
                {
                    a7 = TOps.Xor(a7, TOps.Multiply(low, high, t + (7 * tb)));
                }
            }

            TOps.Store(o0 + pos, a0);
            if (n > 1)
            {
                TOps.Store(o1 + pos, a1);
            }

            if (n > 2)
            {
                TOps.Store(o2 + pos, a2);
            }

            if (n > 3)
            {
                TOps.Store(o3 + pos, a3);
            }

            if (n > 4)
            {
                TOps.Store(o4 + pos, a4);
            }

            if (n > 5)
            {
                TOps.Store(o5 + pos, a5);
            }

            if (n > 6)
            {
                TOps.Store(o6 + pos, a6);
            }

            if (n > 7)
            {
                TOps.Store(o7 + pos, a7);
            }

            if (pos + width >= length)
            {
                return;
            }

            pos += width;
            if (pos + width > length)
            {
                pos = length - width;
            }
        }
    }
}
