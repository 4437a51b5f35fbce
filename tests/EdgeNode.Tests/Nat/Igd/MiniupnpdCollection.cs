namespace EPostEdge.EdgeNode.Tests.Nat.Igd;

/// <summary>One miniupnpd gateway (and its namespaces) for every test class that uses it, run one class after another.</summary>
[CollectionDefinition(Name)]
public sealed class MiniupnpdCollection : ICollectionFixture<MiniupnpdGateway>
{
    public const string Name = "miniupnpd";
}
