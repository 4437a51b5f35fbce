namespace EPostEdge.EdgeNode.Tests.Budgets;

/// <summary>
/// Tests that change what the whole test process shares (the thread pool's bounds) run alone,
/// never beside a test whose timing those bounds would change.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide state (thread pool)";
}
