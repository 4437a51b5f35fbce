using System.Buffers.Binary;
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

    /// <summary>The coefficient's table (<see cref="TableBytes"/> bytes), broadcast by <see cref="Multiply"/> as it loads it.</summary>
    static abstract ReadOnlySpan<byte> Table(byte coefficient);
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

/// <summary>
/// Per-coefficient tables, computed once for all 256 coefficients. The kernels keep them compact
/// (16-byte nibble tables, 8-byte matrices) and broadcast them to the vector width as they load
/// them, so building a decode's tables is a copy and loading one never splits a cache line.
/// </summary>
internal static class GfTables
{
    /// <summary>Bytes per coefficient of <see cref="Nibble"/>.</summary>
    public const int NibbleBytes = 32;

    /// <summary>Bytes per coefficient of <see cref="Affine"/>.</summary>
    public const int AffineBytes = 8;

    private static readonly byte[] NibbleTables = BuildNibbleTables();
    private static readonly byte[] AffineMatrices = BuildAffineMatrices();

    /// <summary>
    /// Split-nibble tables (ISA-L's gf_vect_mul_init): c * x = c * (x &amp; 15) ^ c * (x &amp; 0xF0),
    /// so two 16-entry lookups (pshufb / tbl) replace the 256-entry one. Low table, then high.
    /// </summary>
    public static ReadOnlySpan<byte> Nibble(byte coefficient) => NibbleTables.AsSpan(coefficient * NibbleBytes, NibbleBytes);

    /// <summary>
    /// Multiplication by a constant is linear over GF(2), so it is an 8 x 8 bit matrix that
    /// GF2P8AFFINEQB applies to every byte (as ISA-L's GFNI kernels do). Byte 7 - i of the
    /// little-endian matrix qword is the row giving output bit i; its bit b says whether input
    /// bit b feeds it, i.e. whether bit i of c * 2^b is set.
    /// </summary>
    public static ReadOnlySpan<byte> Affine(byte coefficient) => AffineMatrices.AsSpan(coefficient * AffineBytes, AffineBytes);

    private static byte[] BuildNibbleTables()
    {
        var tables = new byte[256 * NibbleBytes];
        for (var c = 0; c < 256; c++)
        {
            var products = GaloisField.ProductRow((byte)c);
            for (var i = 0; i < 16; i++)
            {
                tables[(c * NibbleBytes) + i] = products[i];
                tables[(c * NibbleBytes) + 16 + i] = products[i << 4];
            }
        }

        return tables;
    }

    private static byte[] BuildAffineMatrices()
    {
        var matrices = new byte[256 * AffineBytes];
        for (var c = 0; c < 256; c++)
        {
            ulong matrix = 0;
            for (var i = 0; i < 8; i++)
            {
                var row = 0;
                for (var b = 0; b < 8; b++)
                {
                    row |= ((GaloisField.Mul((byte)c, (byte)(1 << b)) >> i) & 1) << b;
                }

                matrix |= (ulong)row << (8 * (7 - i));
            }

            BinaryPrimitives.WriteUInt64LittleEndian(matrices.AsSpan(c * AffineBytes), matrix);
        }

        return matrices;
    }
}

/// <summary>Split-nibble kernel on 16 bytes: SSSE3 pshufb on x64, tbl on arm64.</summary>
internal readonly unsafe struct Nibble128Ops : IGfVectorOps<Vector128<byte>>
{
    public static int Width => 16;

    public static int TableBytes => GfTables.NibbleBytes;

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

    public static ReadOnlySpan<byte> Table(byte coefficient) => GfTables.Nibble(coefficient);
}

/// <summary>Split-nibble kernel on 32 bytes: AVX2 vpshufb.</summary>
internal readonly unsafe struct Nibble256Ops : IGfVectorOps<Vector256<byte>>
{
    public static int Width => 32;

    public static int TableBytes => GfTables.NibbleBytes;

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
        Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(table), low) ^ Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(table + 16), high);

    public static ReadOnlySpan<byte> Table(byte coefficient) => GfTables.Nibble(coefficient);
}

/// <summary>Split-nibble kernel on 64 bytes: AVX-512BW vpshufb.</summary>
internal readonly unsafe struct Nibble512Ops : IGfVectorOps<Vector512<byte>>
{
    public static int Width => 64;

    public static int TableBytes => GfTables.NibbleBytes;

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
        Avx512BW.Shuffle(Avx512F.BroadcastVector128ToVector512((uint*)table).AsByte(), low) ^
        Avx512BW.Shuffle(Avx512F.BroadcastVector128ToVector512((uint*)(table + 16)).AsByte(), high);

    public static ReadOnlySpan<byte> Table(byte coefficient) => GfTables.Nibble(coefficient);
}

/// <summary>GF2P8AFFINEQB kernel on 32 bytes.</summary>
internal readonly unsafe struct Gfni256Ops : IGfVectorOps<Vector256<byte>>
{
    public static int Width => 32;

    public static int TableBytes => GfTables.AffineBytes;

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
        Gfni.V256.GaloisFieldAffineTransform(low, Vector256.Create(*(ulong*)table).AsByte(), 0);

    public static ReadOnlySpan<byte> Table(byte coefficient) => GfTables.Affine(coefficient);
}

/// <summary>GF2P8AFFINEQB kernel on 64 bytes.</summary>
internal readonly unsafe struct Gfni512Ops : IGfVectorOps<Vector512<byte>>
{
    public static int Width => 64;

    public static int TableBytes => GfTables.AffineBytes;

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
        Gfni.V512.GaloisFieldAffineTransform(low, Vector512.Create(*(ulong*)table).AsByte(), 0);

    public static ReadOnlySpan<byte> Table(byte coefficient) => GfTables.Affine(coefficient);
}
