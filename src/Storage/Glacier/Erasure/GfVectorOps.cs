using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>
/// One vector width and one way of multiplying a vector of field elements by a constant: the
/// generic dot-product kernel (<see cref="GfKernels"/>) is written once against this and the JIT
/// specialises it per struct, so the calls below inline to single instructions.
/// </summary>
internal unsafe interface IGfVectorOps<TVec>
    where TVec : struct
{
    /// <summary>Bytes per vector.</summary>
    static abstract int Width { get; }

    /// <summary>Bytes of expanded table per coefficient.</summary>
    static abstract int TableBytes { get; }

    /// <summary>Whether the processor runs this kind.</summary>
    static abstract bool IsSupported { get; }

    static abstract TVec Load(byte* source);

    static abstract void Store(byte* destination, TVec value);

    static abstract TVec Xor(TVec a, TVec b);

    /// <summary>Splits an input vector into what <see cref="Multiply"/> takes (nibbles, or itself).</summary>
    static abstract void Prepare(TVec x, out TVec low, out TVec high);

    /// <summary>The product of the prepared input and the coefficient whose table is at <paramref name="table"/>.</summary>
    static abstract TVec Multiply(TVec low, TVec high, byte* table);

    /// <summary>Writes the coefficient's expanded table (<see cref="TableBytes"/> bytes).</summary>
    static abstract void WriteTable(byte coefficient, Span<byte> table);
}

/// <summary>How many output rows one pass over the inputs produces (a JIT-time constant).</summary>
internal interface IRowCount
{
    static abstract int Count { get; }
}

internal readonly struct Rows1 : IRowCount
{
    public static int Count => 1;
}

internal readonly struct Rows2 : IRowCount
{
    public static int Count => 2;
}

internal readonly struct Rows3 : IRowCount
{
    public static int Count => 3;
}

internal readonly struct Rows4 : IRowCount
{
    public static int Count => 4;
}

internal readonly struct Rows5 : IRowCount
{
    public static int Count => 5;
}

internal readonly struct Rows6 : IRowCount
{
    public static int Count => 6;
}

internal readonly struct Rows7 : IRowCount
{
    public static int Count => 7;
}

internal readonly struct Rows8 : IRowCount
{
    public static int Count => 8;
}

/// <summary>Table layouts shared by the vector kinds.</summary>
internal static class GfTables
{
    /// <summary>
    /// Split-nibble tables (ISA-L's gf_vect_mul_init): c * x = c * (x &amp; 15) ^ c * (x &amp; 0xF0), so
    /// two 16-entry lookups (pshufb / tbl) replace the 256-entry one. Low table first, then high
    /// table, each repeated per 128-bit lane because pshufb looks up within lanes.
    /// </summary>
    public static void WriteNibbleTables(byte coefficient, Span<byte> table, int width)
    {
        var products = GaloisField.ProductRow(coefficient);
        for (var lane = 0; lane < width; lane += 16)
        {
            for (var i = 0; i < 16; i++)
            {
                table[lane + i] = products[i];
                table[width + lane + i] = products[i << 4];
            }
        }
    }

    /// <summary>
    /// Multiplication by a constant is linear over GF(2), so it is an 8 x 8 bit matrix that
    /// GF2P8AFFINEQB applies to every byte (as ISA-L's GFNI kernels do). Byte 7 - i of the
    /// matrix qword is the row giving output bit i; its bit b says whether input bit b feeds it,
    /// i.e. whether bit i of c * 2^b is set. Repeated per qword of the vector.
    /// </summary>
    public static void WriteAffineMatrix(byte coefficient, Span<byte> table, int width)
    {
        ulong matrix = 0;
        for (var i = 0; i < 8; i++)
        {
            var row = 0;
            for (var b = 0; b < 8; b++)
            {
                row |= ((GaloisField.Mul(coefficient, (byte)(1 << b)) >> i) & 1) << b;
            }

            matrix |= (ulong)row << (8 * (7 - i));
        }

        for (var q = 0; q < width; q += 8)
        {
            BitConverter.TryWriteBytes(table.Slice(q, 8), matrix);
        }
    }
}

/// <summary>Split-nibble kernel on 16 bytes: SSSE3 pshufb on x64, tbl on arm64.</summary>
internal readonly unsafe struct Nibble128Ops : IGfVectorOps<Vector128<byte>>
{
    public static int Width => 16;

    public static int TableBytes => 32;

    public static bool IsSupported => Ssse3.IsSupported || AdvSimd.Arm64.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Load(byte* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(byte* destination, Vector128<byte> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Xor(Vector128<byte> a, Vector128<byte> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prepare(Vector128<byte> x, out Vector128<byte> low, out Vector128<byte> high)
    {
        var mask = Vector128.Create((byte)0x0F);
        low = x & mask;
        high = Vector128.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Multiply(Vector128<byte> low, Vector128<byte> high, byte* table)
    {
        var lowTable = Vector128.Load(table);
        var highTable = Vector128.Load(table + 16);
        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(lowTable, low) ^ Ssse3.Shuffle(highTable, high);
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.VectorTableLookup(lowTable, low) ^ AdvSimd.Arm64.VectorTableLookup(highTable, high);
        }

        throw new PlatformNotSupportedException();
    }

    public static void WriteTable(byte coefficient, Span<byte> table) => GfTables.WriteNibbleTables(coefficient, table, 16);
}

/// <summary>Split-nibble kernel on 32 bytes: AVX2 vpshufb.</summary>
internal readonly unsafe struct Nibble256Ops : IGfVectorOps<Vector256<byte>>
{
    public static int Width => 32;

    public static int TableBytes => 64;

    public static bool IsSupported => Avx2.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Load(byte* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(byte* destination, Vector256<byte> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Xor(Vector256<byte> a, Vector256<byte> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prepare(Vector256<byte> x, out Vector256<byte> low, out Vector256<byte> high)
    {
        var mask = Vector256.Create((byte)0x0F);
        low = x & mask;
        high = Vector256.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Multiply(Vector256<byte> low, Vector256<byte> high, byte* table) =>
        Avx2.Shuffle(Vector256.Load(table), low) ^ Avx2.Shuffle(Vector256.Load(table + 32), high);

    public static void WriteTable(byte coefficient, Span<byte> table) => GfTables.WriteNibbleTables(coefficient, table, 32);
}

/// <summary>Split-nibble kernel on 64 bytes: AVX-512BW vpshufb.</summary>
internal readonly unsafe struct Nibble512Ops : IGfVectorOps<Vector512<byte>>
{
    public static int Width => 64;

    public static int TableBytes => 128;

    public static bool IsSupported => Avx512BW.IsSupported && Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Load(byte* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(byte* destination, Vector512<byte> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Xor(Vector512<byte> a, Vector512<byte> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prepare(Vector512<byte> x, out Vector512<byte> low, out Vector512<byte> high)
    {
        var mask = Vector512.Create((byte)0x0F);
        low = x & mask;
        high = Vector512.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Multiply(Vector512<byte> low, Vector512<byte> high, byte* table) =>
        Avx512BW.Shuffle(Vector512.Load(table), low) ^ Avx512BW.Shuffle(Vector512.Load(table + 64), high);

    public static void WriteTable(byte coefficient, Span<byte> table) => GfTables.WriteNibbleTables(coefficient, table, 64);
}

/// <summary>GF2P8AFFINEQB kernel on 32 bytes.</summary>
internal readonly unsafe struct Gfni256Ops : IGfVectorOps<Vector256<byte>>
{
    public static int Width => 32;

    public static int TableBytes => 32;

    public static bool IsSupported => Gfni.V256.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Load(byte* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(byte* destination, Vector256<byte> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Xor(Vector256<byte> a, Vector256<byte> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prepare(Vector256<byte> x, out Vector256<byte> low, out Vector256<byte> high)
    {
        low = x;
        high = x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Multiply(Vector256<byte> low, Vector256<byte> high, byte* table) =>
        Gfni.V256.GaloisFieldAffineTransform(low, Vector256.Load(table), 0);

    public static void WriteTable(byte coefficient, Span<byte> table) => GfTables.WriteAffineMatrix(coefficient, table, 32);
}

/// <summary>GF2P8AFFINEQB kernel on 64 bytes.</summary>
internal readonly unsafe struct Gfni512Ops : IGfVectorOps<Vector512<byte>>
{
    public static int Width => 64;

    public static int TableBytes => 64;

    public static bool IsSupported => Gfni.V512.IsSupported && Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Load(byte* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(byte* destination, Vector512<byte> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Xor(Vector512<byte> a, Vector512<byte> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prepare(Vector512<byte> x, out Vector512<byte> low, out Vector512<byte> high)
    {
        low = x;
        high = x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Multiply(Vector512<byte> low, Vector512<byte> high, byte* table) =>
        Gfni.V512.GaloisFieldAffineTransform(low, Vector512.Load(table), 0);

    public static void WriteTable(byte coefficient, Span<byte> table) => GfTables.WriteAffineMatrix(coefficient, table, 64);
}
