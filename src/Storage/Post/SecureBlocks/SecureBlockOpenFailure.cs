namespace EPostEdge.Storage.Post;

/// <summary>Why a sealed block could not be opened.</summary>
public enum SecureBlockOpenFailure
{
    /// <summary>It opened.</summary>
    None = 0,

    /// <summary>The bytes are not a sealed block (too short, bad counts, trailing garbage).</summary>
    Malformed,

    /// <summary>The format version is one this build does not know.</summary>
    UnsupportedVersion,

    /// <summary>No key wrap is addressed to this identity: it is not a reader.</summary>
    NotAReader,

    /// <summary>A wrap addressed to this identity, or the content, failed AEAD authentication: the block was altered.</summary>
    AuthenticationFailed,
}
