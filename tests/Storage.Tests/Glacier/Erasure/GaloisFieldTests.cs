using CsCheck;
using EPostEdge.Storage.Glacier.Erasure;

namespace EPostEdge.Storage.Tests.Glacier.Erasure;

/// <summary>GF(2^8) under 0x11D: the field axioms, and the tables against shift-and-add multiplication.</summary>
public sealed class GaloisFieldTests
{
    private static readonly Gen<byte> NonZero = Gen.Byte[1, 255];

    [Fact]
    public void Mul_equals_carry_less_multiplication_reduced_by_0x11D() =>
        Gen.Select(Gen.Byte, Gen.Byte).Sample((a, b) => Assert.Equal(SlowMul(a, b), GaloisField.Mul(a, b)), iter: 5000);

    [Fact]
    public void Every_product_in_the_table_equals_the_slow_product()
    {
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.Equal(SlowMul((byte)a, (byte)b), GaloisField.Products[(a << 8) | b]);
            }
        }
    }

    [Fact]
    public void Mul_is_commutative_and_associative_with_identity_1_and_absorbing_0() =>
        Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte).Sample((a, b, c) =>
        {
            Assert.Equal(GaloisField.Mul(a, b), GaloisField.Mul(b, a));
            Assert.Equal(GaloisField.Mul(GaloisField.Mul(a, b), c), GaloisField.Mul(a, GaloisField.Mul(b, c)));
            Assert.Equal(a, GaloisField.Mul(a, 1));
            Assert.Equal(0, GaloisField.Mul(a, 0));
        });

    [Fact]
    public void Mul_distributes_over_add() =>
        Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte).Sample((a, b, c) =>
            Assert.Equal(
                GaloisField.Add(GaloisField.Mul(a, b), GaloisField.Mul(a, c)),
                GaloisField.Mul(a, GaloisField.Add(b, c))));

    [Fact]
    public void Div_undoes_Mul_and_Inverse_is_the_reciprocal() =>
        Gen.Select(Gen.Byte, NonZero).Sample((a, b) =>
        {
            Assert.Equal(a, GaloisField.Div(GaloisField.Mul(a, b), b));
            Assert.Equal(a, GaloisField.Mul(GaloisField.Div(a, b), b));
            Assert.Equal(1, GaloisField.Mul(b, GaloisField.Inverse(b)));
            Assert.Equal(GaloisField.Div(a, b), GaloisField.Mul(a, GaloisField.Inverse(b)));
        });

    [Fact]
    public void Exp_and_Log_are_inverse_and_2_generates_every_nonzero_element()
    {
        var seen = new HashSet<byte>();
        for (var e = 0; e < 255; e++)
        {
            var x = GaloisField.Exp(e);
            Assert.True(seen.Add(x));
            Assert.Equal(e, GaloisField.Log(x));
        }

        Assert.DoesNotContain((byte)0, seen);
        NonZero.Select(Gen.Byte).Sample((a, b) =>
        {
            if (b != 0)
            {
                Assert.Equal(GaloisField.Mul(a, b), GaloisField.Exp(GaloisField.Log(a) + GaloisField.Log(b)));
            }
        });
    }

    [Fact]
    public void Zero_has_no_inverse_and_no_log()
    {
        Assert.Throws<DivideByZeroException>(() => GaloisField.Inverse(0));
        Assert.Throws<DivideByZeroException>(() => GaloisField.Div(7, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaloisField.Log(0));
    }

    // Shift-and-add, reducing by x^8 + x^4 + x^3 + x^2 + 1 as bits overflow: independent of the tables.
    private static byte SlowMul(byte a, byte b)
    {
        int x = a, result = 0;
        for (var bit = 0; bit < 8; bit++)
        {
            if ((b & (1 << bit)) != 0)
            {
                result ^= x;
            }

            x <<= 1;
            if ((x & 0x100) != 0)
            {
                x ^= 0x11D;
            }
        }

        return (byte)result;
    }
}
