namespace EPostEdge.Storage.Past;

/// <summary>What a node holds for others in its contributed storage.</summary>
public enum HeldKind : byte
{
    /// <summary>A PAST replica of an immutable block: verified by its content hash.</summary>
    Replica = 1,

    /// <summary>A Glacier fragment with its signed manifest: verified against the manifest.</summary>
    Fragment = 2,

    /// <summary>A versioned mutable record (a signed log head, DhtFlex): verified by its owner's signature.</summary>
    Head = 3,

    /// <summary>A Glacier pointer from an aggregated small object to its aggregate: verified by its checksum and key.</summary>
    Pointer = 4,
}
