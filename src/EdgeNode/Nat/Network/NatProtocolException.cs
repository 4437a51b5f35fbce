namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>A gateway answered, but with something that is not valid for its protocol (the message says what).</summary>
internal sealed class NatProtocolException : Exception
{
    public NatProtocolException()
    {
    }

    public NatProtocolException(string message)
        : base(message)
    {
    }

    public NatProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
