namespace EPostEdge.Storage.Glacier.Erasure;

/// <summary>
/// How the erasure code multiplies shards by coefficients. Every kind computes the same bytes;
/// <see cref="GfKernels.Best"/> picks the fastest the processor has, tests force each one and
/// compare it to <see cref="Scalar"/>.
/// </summary>
internal enum ErasureKernel
{
    /// <summary>Byte at a time through the 64 KiB product table; runs everywhere.</summary>
    Scalar,

    /// <summary>Split-nibble lookups on 16 bytes: SSSE3 pshufb or arm64 tbl.</summary>
    Nibble128,

    /// <summary>Split-nibble lookups on 32 bytes: AVX2 vpshufb.</summary>
    Nibble256,

    /// <summary>Split-nibble lookups on 64 bytes: AVX-512BW vpshufb.</summary>
    Nibble512,

    /// <summary>One GF2P8AFFINEQB per coefficient on 32 bytes (GFNI + AVX).</summary>
    Gfni256,

    /// <summary>One GF2P8AFFINEQB per coefficient on 64 bytes (GFNI + AVX-512).</summary>
    Gfni512,
}
