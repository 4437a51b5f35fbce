namespace EPostEdge.Storage.Journal;

/// <summary>
/// The journal refuses writes after a write or fsync failed: per "fsyncgate" (PostgreSQL, 2018)
/// a failed fsync may have dropped the dirty pages, and a later fsync that succeeds proves
/// nothing. The store must be reopened, which re-reads what is really on disk.
/// </summary>
public sealed class JournalFailedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public JournalFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public JournalFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
