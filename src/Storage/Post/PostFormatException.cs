namespace EPostEdge.Storage.Post;

/// <summary>
/// Bytes that claim to be a POST structure (public keys, log entry, log head, key backup) are
/// malformed: too short, too long, an unknown version or an out-of-range field. Every POST
/// decoder is length-checked and throws this, never an index or overflow exception.
/// </summary>
public sealed class PostFormatException : FormatException
{
    /// <summary>Creates the exception with no message.</summary>
    public PostFormatException()
    {
    }

    /// <summary>Creates the exception with a message saying what was malformed.</summary>
    public PostFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PostFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
