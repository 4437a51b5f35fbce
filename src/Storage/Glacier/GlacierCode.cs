namespace EPostEdge.Storage.Glacier;

/// <summary>TEMPORARY compile stand-in until the erasure branch merges.</summary>
internal static class GlacierCode
{
    public static byte[][] Encode(byte[] content, int total, int needed) => throw new NotSupportedException();

    public static byte[]? Decode(IReadOnlyList<(int Index, byte[] Bytes)> fragments, int total, int needed, int length) => throw new NotSupportedException();
}
