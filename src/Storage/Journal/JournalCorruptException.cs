namespace EPostEdge.Storage.Journal;

/// <summary>A record read back failed its checksum, or is not the record its position names.</summary>
public sealed class JournalCorruptException : IOException
{
    /// <summary>Creates the exception.</summary>
    public JournalCorruptException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public JournalCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
