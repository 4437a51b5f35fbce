using System.Runtime.InteropServices;

namespace EPostEdge.Benchmarks;

/// <summary>
/// Test-only bindings to Intel ISA-L's erasure code (Debian's libisal2, isa-l/erasure_code.h), so
/// the anchor can run a case its own bench (shared/bench/isal/ec_bench.c) has no option for:
/// (10, 4). Used by the erasure benchmark only, never by the node.
/// </summary>
internal static unsafe partial class IsalErasure
{
    private const string Library = "libisal.so.2";

    /// <summary>Whether libisal.so.2 loads.</summary>
    public static bool IsAvailable()
    {
        if (!NativeLibrary.TryLoad(Library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>void gf_gen_cauchy1_matrix(unsigned char *a, int m, int k): n x k, identity on top, then 1/(i ^ j).</summary>
    [LibraryImport(Library, EntryPoint = "gf_gen_cauchy1_matrix")]
    public static partial void GenCauchy1Matrix(byte* a, int rows, int k);

    /// <summary>int gf_invert_matrix(unsigned char *in, unsigned char *out, const int n): 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "gf_invert_matrix")]
    public static partial int InvertMatrix(byte* input, byte* output, int n);

    /// <summary>void ec_init_tables(int k, int rows, unsigned char *a, unsigned char *gftbls): 32 bytes per coefficient.</summary>
    [LibraryImport(Library, EntryPoint = "ec_init_tables")]
    public static partial void InitTables(int k, int rows, byte* a, byte* tables);

    /// <summary>void ec_encode_data(int len, int k, int rows, unsigned char *gftbls, unsigned char **data, unsigned char **coding).</summary>
    [LibraryImport(Library, EntryPoint = "ec_encode_data")]
    public static partial void EncodeData(int length, int k, int rows, byte* tables, byte** data, byte** coding);
}
