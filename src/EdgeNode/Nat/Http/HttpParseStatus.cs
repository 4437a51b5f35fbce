namespace EPostEdge.EdgeNode.Nat.Http;

/// <summary>What a parse of the bytes received so far found.</summary>
internal enum HttpParseStatus
{
    /// <summary>More bytes are needed (nothing is consumed).</summary>
    Incomplete,

    /// <summary>A whole message.</summary>
    Complete,

    /// <summary>Not a valid message: the error says why.</summary>
    Invalid,
}
