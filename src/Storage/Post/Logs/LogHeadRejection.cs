namespace EPostEdge.Storage.Post;

/// <summary>What a <see cref="LogHeadStore"/> made of an offered head.</summary>
public enum LogHeadRejection
{
    /// <summary>Accepted: it is now the held head for its log.</summary>
    None = 0,

    /// <summary>Not new: the held head has the same version and content. Treated as success (an idempotent retry); nothing is written.</summary>
    Duplicate,

    /// <summary>The bytes are not a log head (only from <see cref="LogHeadStore.Replay"/>).</summary>
    Malformed,

    /// <summary>The owner's signature does not verify (altered, or signed by another key).</summary>
    BadSignature,

    /// <summary>Its version is lower than the held head's.</summary>
    StaleVersion,

    /// <summary>Same version as the held head but different content: two heads the owner both signed, i.e. a forked log (ePOST), left to log merge.</summary>
    ConflictingVersion,

    /// <summary>Replay only: a head journaled in one batch with its entry, whose entry record did not survive (a crash mid-batch), so the head never took effect.</summary>
    EntryMissing,
}
