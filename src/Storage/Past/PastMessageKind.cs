namespace EPostEdge.Storage.Past;

/// <summary>The storage protocol's messages (application <see cref="PastService.ApplicationId"/> on the KBR layer).</summary>
public enum PastMessageKind : byte
{
    /// <summary>Routed to a block's key: its root stores it and has its replica set store it (PAST insert).</summary>
    Insert = 1,

    /// <summary>The root's answer to the inserting node: how many replicas hold the block.</summary>
    InsertAck = 2,

    /// <summary>Sent to one holder: store this replica, fragment or head.</summary>
    Store = 3,

    /// <summary>A holder's answer to <see cref="Store"/>: <see cref="HeldPutResult"/> in the status.</summary>
    StoreAck = 4,

    /// <summary>Routed to a key or sent to a holder: return what you hold under it.</summary>
    Fetch = 5,

    /// <summary>The answer to <see cref="Fetch"/>: status 1 with the bytes, 0 when not held.</summary>
    FetchReply = 6,

    /// <summary>Replica maintenance: a Bloom filter of the sender's held keys; the receiver pushes what the sender lacks.</summary>
    Sync = 7,

    /// <summary>A lease renewal of one key, routed to its root, which renews its replica set.</summary>
    Renew = 8,

    /// <summary>Routed to a head's record key: the root writes it to a majority of the replica set (DhtFlex).</summary>
    HeadWrite = 9,

    /// <summary>The root's answer to <see cref="HeadWrite"/>: replicas that hold it (or a newer one) and the highest version seen.</summary>
    HeadWriteAck = 10,

    /// <summary>Routed to a head's record key: the root reads a majority of the replica set.</summary>
    HeadRead = 11,

    /// <summary>The root's answer to <see cref="HeadRead"/>: the highest validly signed head a majority returned.</summary>
    HeadReadReply = 12,
}
