using System.Security.Cryptography;
using System.Text;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// HTTP Basic authentication (RFC 7617) against the one configured password (Web:Password); the
/// user name is not checked. The comparison takes the same time whatever the guess.
/// </summary>
public sealed class BasicAuthentication
{
    /// <summary>The challenge of a 401 (RFC 7617 §2: realm; §2.1: the charset is UTF-8).</summary>
    public const string Challenge = "Basic realm=\"epost-edge\", charset=\"UTF-8\"";

    private readonly byte[] _passwordHash;

    /// <param name="password">The password every request must carry.</param>
    public BasicAuthentication(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        _passwordHash = SHA256.HashData(Encoding.UTF8.GetBytes(password));
    }

    /// <summary>
    /// True when <paramref name="authorization"/> (the Authorization header, or null) is
    /// "Basic base64(user:password)" with the right password.
    /// </summary>
    public bool Accepts(string? authorization)
    {
        const string scheme = "Basic ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(authorization[scheme.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        // RFC 7617 §2: user-id and password are split at the first colon (a user id has none).
        var colon = Array.IndexOf(decoded, (byte)':');
        if (colon < 0)
        {
            return false;
        }

        // Hashes of equal length, compared in constant time: neither the password's length nor
        // how many leading bytes a guess has right shows in the response time.
        var given = SHA256.HashData(decoded.AsSpan(colon + 1));
        return CryptographicOperations.FixedTimeEquals(given, _passwordHash);
    }
}
