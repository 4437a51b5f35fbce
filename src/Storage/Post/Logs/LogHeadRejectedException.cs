namespace EPostEdge.Storage.Post;

/// <summary>An append's new head was refused by the <see cref="LogHeadStore"/>; the entry block was stored but the log did not move.</summary>
public sealed class LogHeadRejectedException : InvalidOperationException
{
    /// <summary>Creates the exception for a head refused with <paramref name="rejection"/>.</summary>
    public LogHeadRejectedException(LogHeadRejection rejection, string logName)
        : base($"log '{logName}': new head refused ({rejection})") => Rejection = rejection;

    /// <summary>Creates the exception with no reason.</summary>
    public LogHeadRejectedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LogHeadRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public LogHeadRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the head was refused.</summary>
    public LogHeadRejection Rejection { get; }
}
