namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// The end-to-end classes run one after another and not alongside other test classes: each
/// drives a real node with real sockets, and the IDLE test measures a delay (the 1 s of issue 3)
/// that a CPU-bound neighbour on a 2-core CI machine would otherwise eat into.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MailEndToEndCollection
{
    public const string Name = "mail end-to-end (real node, real sockets)";
}
