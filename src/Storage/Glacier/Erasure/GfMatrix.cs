namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>Matrices over GF(2^8), row-major in flat spans.</summary>
internal static class GfMatrix
{
    /// <summary>
    /// The systematic generator of an (n, m) code: the m x m identity on top (fragment i &lt; m is
    /// data shard i) and below it the Cauchy rows 1 / (i ^ j) for i in [m, n), j in [0, m). The
    /// points {m..n-1} and {0..m-1} are disjoint, so every square submatrix of the Cauchy part is
    /// invertible, hence any m rows of the whole matrix are (Glacier §4.2 needs "any m of n").
    /// This is ISA-L's gf_gen_cauchy1_matrix, so our parity bytes equal ISA-L's.
    /// </summary>
    public static byte[] CauchyGenerator(int m, int n)
    {
        var a = new byte[n * m];
        for (var i = 0; i < m; i++)
        {
            a[(i * m) + i] = 1;
        }

        for (var i = m; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                a[(i * m) + j] = GaloisField.Inverse((byte)(i ^ j));
            }
        }

        return a;
    }

    /// <summary>
    /// Inverts the k x k matrix <paramref name="matrix"/> (destroyed) into <paramref name="inverse"/>
    /// by Gauss-Jordan elimination. Returns false when it is singular.
    /// </summary>
    public static bool TryInvert(Span<byte> matrix, Span<byte> inverse, int k)
    {
        inverse[..(k * k)].Clear();
        for (var i = 0; i < k; i++)
        {
            inverse[(i * k) + i] = 1;
        }

        for (var col = 0; col < k; col++)
        {
            var pivot = col;
            while (pivot < k && matrix[(pivot * k) + col] == 0)
            {
                pivot++;
            }

            if (pivot == k)
            {
                return false;
            }

            if (pivot != col)
            {
                SwapRows(matrix, k, pivot, col);
                SwapRows(inverse, k, pivot, col);
            }

            var scale = GaloisField.Inverse(matrix[(col * k) + col]);
            ScaleRow(matrix.Slice(col * k, k), scale);
            ScaleRow(inverse.Slice(col * k, k), scale);
            for (var row = 0; row < k; row++)
            {
                var factor = matrix[(row * k) + col];
                if (row == col || factor == 0)
                {
                    continue;
                }

                AddScaledRow(matrix.Slice(row * k, k), matrix.Slice(col * k, k), factor);
                AddScaledRow(inverse.Slice(row * k, k), inverse.Slice(col * k, k), factor);
            }
        }

        return true;
    }

    /// <summary>result = row (1 x k) times matrix (k x k).</summary>
    public static void MultiplyRow(ReadOnlySpan<byte> row, ReadOnlySpan<byte> matrix, int k, Span<byte> result)
    {
        result[..k].Clear();
        for (var i = 0; i < k; i++)
        {
            if (row[i] != 0)
            {
                AddScaledRow(result[..k], matrix.Slice(i * k, k), row[i]);
            }
        }
    }

    private static void SwapRows(Span<byte> matrix, int k, int a, int b)
    {
        for (var j = 0; j < k; j++)
        {
            (matrix[(a * k) + j], matrix[(b * k) + j]) = (matrix[(b * k) + j], matrix[(a * k) + j]);
        }
    }

    private static void ScaleRow(Span<byte> row, byte factor)
    {
        var products = GaloisField.ProductRow(factor);
        for (var j = 0; j < row.Length; j++)
        {
            row[j] = products[row[j]];
        }
    }

    private static void AddScaledRow(Span<byte> target, ReadOnlySpan<byte> source, byte factor)
    {
        var products = GaloisField.ProductRow(factor);
        for (var j = 0; j < target.Length; j++)
        {
            target[j] ^= products[source[j]];
        }
    }
}
