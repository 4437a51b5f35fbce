namespace EPostEdge.EdgeNode;

internal static class Program
{
    private static int Main() => 0;
}
