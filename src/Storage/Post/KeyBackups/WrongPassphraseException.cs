namespace EPostEdge.Storage.Post;

/// <summary>
/// A key backup did not open: the passphrase is wrong, or the file was altered (AEAD cannot
/// tell the two apart, so the message names both).
/// </summary>
public sealed class WrongPassphraseException : System.Security.Cryptography.CryptographicException
{
    /// <summary>The message users see.</summary>
    public const string DefaultMessage = "The key backup could not be opened: the passphrase is wrong, or the backup file has been altered or damaged.";

    /// <summary>Creates the exception with <see cref="DefaultMessage"/>.</summary>
    public WrongPassphraseException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WrongPassphraseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public WrongPassphraseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
