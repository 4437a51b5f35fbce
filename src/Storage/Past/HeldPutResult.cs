namespace EPostEdge.Storage.Past;

/// <summary>The outcome of storing an item in a node's contributed storage.</summary>
public enum HeldPutResult : byte
{
    /// <summary>Stored durably (or was already held; its lease was extended).</summary>
    Stored = 1,

    /// <summary>Refused: the contributed quota would be passed. Retryable elsewhere or later.</summary>
    QuotaFull = 2,

    /// <summary>Refused: the local disk failed. Retryable.</summary>
    Failed = 3,
}
