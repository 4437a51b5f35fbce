namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>
/// GF(2^8) with the reduction polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator 2, the
/// field of ISA-L and of most storage Reed-Solomon codes, so that our fragments equal ISA-L's for
/// the same generator matrix. Addition is XOR; multiplication goes through log/exp tables, and
/// the erasure kernels use the full 256 x 256 product table (scalar) or per-coefficient nibble
/// tables and bit matrices (SIMD) built from it.
/// </summary>
public static class GaloisField
{
    /// <summary>The reduction polynomial, bit 8 included.</summary>
    public const int Polynomial = 0x11D;

    // Exp is doubled (510 entries) so Log[a] + Log[b] indexes it without a modulo.
    private static readonly byte[] ExpTable = new byte[510];
    private static readonly byte[] LogTable = new byte[256];
    private static readonly byte[] ProductTable = new byte[256 * 256];
    private static readonly byte[] InverseTable = new byte[256];

#pragma warning disable CA1810 // the tables depend on each other: one static constructor builds them in order.
    static GaloisField()
#pragma warning restore CA1810
    {
        var x = 1;
        for (var i = 0; i < 255; i++)
        {
            ExpTable[i] = (byte)x;
            ExpTable[i + 255] = (byte)x;
            LogTable[x] = (byte)i;
            x <<= 1;
            if ((x & 0x100) != 0)
            {
                x ^= Polynomial;
            }
        }

        for (var a = 1; a < 256; a++)
        {
            InverseTable[a] = ExpTable[255 - LogTable[a]];
            for (var b = 1; b < 256; b++)
            {
                ProductTable[(a << 8) | b] = ExpTable[LogTable[a] + LogTable[b]];
            }
        }
    }

    /// <summary>The 64 KiB product table: entry (a &lt;&lt; 8) | b is a * b.</summary>
    internal static ReadOnlySpan<byte> Products => ProductTable;

    /// <summary>The product row of <paramref name="a"/>: entry b is a * b (256 bytes).</summary>
    internal static ReadOnlySpan<byte> ProductRow(byte a) => ProductTable.AsSpan(a << 8, 256);

    /// <summary>a + b (and a - b): XOR.</summary>
    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    /// <summary>a * b.</summary>
    public static byte Mul(byte a, byte b) => ProductTable[(a << 8) | b];

    /// <summary>a / b.</summary>
    /// <exception cref="DivideByZeroException">b is 0.</exception>
    public static byte Div(byte a, byte b)
    {
        if (b == 0)
        {
            throw new DivideByZeroException("Division by zero in GF(2^8).");
        }

        return a == 0 ? (byte)0 : ExpTable[LogTable[a] + 255 - LogTable[b]];
    }

    /// <summary>The multiplicative inverse of a.</summary>
    /// <exception cref="DivideByZeroException">a is 0.</exception>
    public static byte Inverse(byte a)
    {
        if (a == 0)
        {
            throw new DivideByZeroException("0 has no inverse in GF(2^8).");
        }

        return InverseTable[a];
    }

    /// <summary>2^e, the generator to the power e (any e &gt;= 0).</summary>
    public static byte Exp(int e)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(e);
        return ExpTable[e % 255];
    }

    /// <summary>The discrete logarithm of a to base 2, in [0, 255).</summary>
    /// <exception cref="ArgumentOutOfRangeException">a is 0.</exception>
    public static int Log(byte a)
    {
        ArgumentOutOfRangeException.ThrowIfZero(a);
        return LogTable[a];
    }
}
