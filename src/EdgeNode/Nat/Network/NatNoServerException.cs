namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>Nothing answers for this protocol at the gateway: no response in time, port unreachable, or connection refused.</summary>
internal sealed class NatNoServerException : Exception
{
    public NatNoServerException()
    {
    }

    public NatNoServerException(string message)
        : base(message)
    {
    }

    public NatNoServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
