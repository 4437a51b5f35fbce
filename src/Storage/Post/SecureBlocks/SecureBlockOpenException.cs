namespace EPostEdge.Storage.Post;

/// <summary>A sealed block could not be opened; <see cref="Failure"/> says why.</summary>
public sealed class SecureBlockOpenException : System.Security.Cryptography.CryptographicException
{
    /// <summary>Creates the exception for <paramref name="failure"/>.</summary>
    public SecureBlockOpenException(SecureBlockOpenFailure failure)
        : base(Describe(failure)) => Failure = failure;

    /// <summary>Creates the exception with no reason.</summary>
    public SecureBlockOpenException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SecureBlockOpenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SecureBlockOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the block did not open.</summary>
    public SecureBlockOpenFailure Failure { get; }

    private static string Describe(SecureBlockOpenFailure failure) => failure switch
    {
        SecureBlockOpenFailure.Malformed => "not a sealed block: the bytes are malformed",
        SecureBlockOpenFailure.UnsupportedVersion => "sealed block format version is not supported",
        SecureBlockOpenFailure.NotAReader => "this identity is not a reader of the block",
        SecureBlockOpenFailure.AuthenticationFailed => "sealed block failed authentication: it was altered or damaged",
        _ => $"sealed block could not be opened ({failure})",
    };
}
