namespace EPostEdge.Storage.Post;

/// <summary>
/// A log does not verify: its head is not the expected owner's or not validly signed, an entry
/// is missing or does not hash to its link, or the indices do not count down to 0.
/// </summary>
public sealed class LogChainException : IOException
{
    /// <summary>Creates the exception with no message.</summary>
    public LogChainException()
    {
    }

    /// <summary>Creates the exception with a message saying what broke.</summary>
    public LogChainException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public LogChainException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
