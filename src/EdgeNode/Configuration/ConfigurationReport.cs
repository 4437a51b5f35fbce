namespace EPostEdge.EdgeNode.Configuration;

/// <summary>What validation found: errors stop the node (exit 2), warnings are printed and it runs.</summary>
public sealed record ConfigurationReport(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public bool IsValid => Errors.Count == 0;
}
