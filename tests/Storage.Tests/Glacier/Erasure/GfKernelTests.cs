using CsCheck;
using EPostEdge.Storage.Glacier.Erasure;

namespace EPostEdge.Storage.Tests.Glacier.Erasure;

/// <summary>
/// Every kernel this processor runs computes what the scalar one does, and the scalar one what
/// GaloisField.Mul does, for any coefficients and any length (ragged ends, shorter than a vector).
/// </summary>
public sealed class GfKernelTests
{
    public static TheoryData<string> VectorKernels()
    {
        var data = new TheoryData<string>();
        foreach (var kind in Enum.GetValues<ErasureKernel>())
        {
            if (kind != ErasureKernel.Scalar && GfKernels.IsSupported(kind))
            {
                data.Add(kind.ToString());
            }
        }

        return data;
    }

    [Fact]
    public void The_best_kernel_is_a_supported_one_and_x64_with_ssse3_gets_a_vector_kernel()
    {
        Assert.True(GfKernels.IsSupported(GfKernels.Best));
        if (System.Runtime.Intrinsics.X86.Ssse3.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported)
        {
            Assert.NotEqual(ErasureKernel.Scalar, GfKernels.Best);
        }
    }

    [Fact]
    public void Scalar_dot_product_equals_field_arithmetic() =>
        Gen.Select(Gen.Int[1, 9], Gen.Int[1, 12], Gen.Int[0, 300], Gen.Int).Sample((rows, k, length, seed) =>
        {
            var (coefficients, inputs) = RandomCase(rows, k, length, seed);
            var actual = Run(ErasureKernel.Scalar, coefficients, rows, inputs, length);
            for (var r = 0; r < rows; r++)
            {
                for (var i = 0; i < length; i++)
                {
                    byte expected = 0;
                    for (var j = 0; j < k; j++)
                    {
                        expected ^= GaloisField.Mul(coefficients[(r * k) + j], inputs[j][i]);
                    }

                    Assert.Equal(expected, actual[r][i]);
                }
            }
        });

    [Theory]
    [MemberData(nameof(VectorKernels))]
    public void Vector_kernel_equals_scalar_for_random_coefficients_and_lengths(string kernelName) =>
        Gen.Select(Gen.Int[1, 17], Gen.Int[1, 20], Gen.OneOf(Gen.Int[0, 200], Gen.Int[200, 5000]), Gen.Int).Sample((rows, k, length, seed) =>
        {
            var (coefficients, inputs) = RandomCase(rows, k, length, seed);
            var expected = Run(ErasureKernel.Scalar, coefficients, rows, inputs, length);
            var actual = Run(Enum.Parse<ErasureKernel>(kernelName), coefficients, rows, inputs, length);
            for (var r = 0; r < rows; r++)
            {
                Assert.Equal(expected[r], actual[r]);
            }
        }, iter: 300);

    [Theory]
    [MemberData(nameof(VectorKernels))]
    public void Vector_kernel_equals_scalar_at_every_length_around_the_vector_widths(string kernelName)
    {
        for (var length = 0; length <= 260; length++)
        {
            // Every group size up to 8 rows and beyond (9 = 5 + 4), with 0 and 1 among the coefficients.
            foreach (var rows in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })
            {
                var (coefficients, inputs) = RandomCase(rows, 3, length, seed: (length * 31) + rows);
                coefficients[0] = 0;
                coefficients[^1] = 1;
                var expected = Run(ErasureKernel.Scalar, coefficients, rows, inputs, length);
                var actual = Run(Enum.Parse<ErasureKernel>(kernelName), coefficients, rows, inputs, length);
                for (var r = 0; r < rows; r++)
                {
                    Assert.Equal(expected[r], actual[r]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(VectorKernels))]
    public void Every_coefficient_times_every_byte_matches_the_product_table(string kernelName)
    {
        var input = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            input[i] = (byte)i;
        }

        for (var c = 0; c < 256; c++)
        {
            var output = Run(Enum.Parse<ErasureKernel>(kernelName), [(byte)c], 1, [input], 256)[0];
            for (var i = 0; i < 256; i++)
            {
                Assert.Equal(GaloisField.Mul((byte)c, (byte)i), output[i]);
            }
        }
    }

    private static (byte[] Coefficients, byte[][] Inputs) RandomCase(int rows, int k, int length, int seed)
    {
        var random = new Random(seed);
        var coefficients = new byte[rows * k];
        random.NextBytes(coefficients);
        var inputs = new byte[k][];
        for (var j = 0; j < k; j++)
        {
            inputs[j] = new byte[length];
            random.NextBytes(inputs[j]);
        }

        return (coefficients, inputs);
    }

    private static unsafe byte[][] Run(ErasureKernel kind, byte[] coefficients, int rows, byte[][] inputs, int length)
    {
        var k = inputs.Length;
        var outputs = new byte[rows][];
        for (var r = 0; r < rows; r++)
        {
            // Garbage first: the kernel overwrites, it does not accumulate.
            outputs[r] = Enumerable.Repeat((byte)0xA5, length).ToArray();
        }

        var tables = new byte[rows * k * GfKernels.TableBytes(kind)];
        GfKernels.WriteTables(kind, coefficients, rows, k, tables);
        var handles = inputs.Concat(outputs).Select(a => a.AsMemory().Pin()).ToArray();
        try
        {
            var ins = stackalloc byte*[k];
            var outs = stackalloc byte*[rows];
            for (var j = 0; j < k; j++)
            {
                ins[j] = (byte*)handles[j].Pointer;
            }

            for (var r = 0; r < rows; r++)
            {
                outs[r] = (byte*)handles[k + r].Pointer;
            }

            GfKernels.DotProduct(kind, coefficients, tables, rows, k, ins, outs, length);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }
        }

        return outputs;
    }
}
