namespace EPostEdge.Storage.Blocks;

/// <summary>Bytes read for a block do not hash to its key: the copy is rejected (and, once replicas exist, fetched elsewhere).</summary>
public sealed class CorruptBlockException : IOException
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public CorruptBlockException(BlockKey key)
        : base($"block {key} failed its hash check") => Key = key;

    /// <summary>Creates the exception with no key.</summary>
    public CorruptBlockException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CorruptBlockException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public CorruptBlockException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The block whose copy was rejected.</summary>
    public BlockKey Key { get; }
}
