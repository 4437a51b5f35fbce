namespace EPostEdge.EdgeNode.Mail.Users;

/// <summary>The rules for login names, mail addresses and passwords.</summary>
public static class UserNames
{
    /// <summary>Longest login name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Shortest password accepted.</summary>
    public const int MinPasswordLength = 8;

    /// <summary>Checks a login name: 1..64 of lower-case letters, digits, '.', '_', '-', not starting with '.' (it is a file name).</summary>
    /// <exception cref="ArgumentException">Not a valid name.</exception>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a user name: use 1 to {MaxNameLength} lower-case letters, digits, '.', '_' or '-', not starting with '.'", nameof(name));
        }
    }

    /// <summary>Whether <paramref name="name"/> is a valid login name.</summary>
    public static bool IsValidName(string name) =>
        name.Length is >= 1 and <= MaxNameLength && name[0] != '.' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-');

    /// <summary>
    /// Normalises an address: local@domain with the domain lower-cased (RFC 5321 §2.4: the local
    /// part is case-sensitive on the wire, but this node matches it case-insensitively).
    /// </summary>
    /// <exception cref="ArgumentException">Not a plain addr-spec.</exception>
    public static string NormalizeAddress(string address) =>
        TryNormalizeAddress(address, out var normalized) ? normalized : throw new ArgumentException($"'{address}' is not a mail address (expected local@domain)", nameof(address));

    /// <summary>Normalises an address, or false when it is not local@domain.</summary>
    public static bool TryNormalizeAddress(string? address, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrEmpty(address) || address.Length > 254)
        {
            return false;
        }

        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || at > 64)
        {
            return false;
        }

        var local = address[..at];
        var domain = address[(at + 1)..].ToLowerInvariant();
        // RFC 5321 §4.1.2 dot-string local part (quoted local parts are not offered to users here).
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal)
            || !local.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c)))
        {
            return false;
        }

        // RFC 5321 §4.1.2 Domain: dot-separated labels of letters, digits and inner hyphens.
        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63 || label.StartsWith('-') || label.EndsWith('-') || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        normalized = local + "@" + domain;
        return true;
    }

    /// <summary>Checks a password's length.</summary>
    /// <exception cref="ArgumentException">Shorter than <see cref="MinPasswordLength"/>.</exception>
    public static void ValidatePassword(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < MinPasswordLength)
        {
            throw new ArgumentException($"the password must be at least {MinPasswordLength} characters", nameof(password));
        }
    }
}
