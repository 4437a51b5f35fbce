namespace EPostEdge.EdgeNode.Nat;

/// <summary>Where the port mapping stands.</summary>
public enum NatState
{
    /// <summary>Looking for the gateway and a protocol it speaks.</summary>
    Discovering,

    /// <summary>The overlay port is mapped (UDP at least) and being renewed.</summary>
    Mapped,

    /// <summary>No mapping; the next try is scheduled (or the settings are unusable: see the error).</summary>
    Failed,

    /// <summary>The node stopped and removed its mappings.</summary>
    Removed,
}
