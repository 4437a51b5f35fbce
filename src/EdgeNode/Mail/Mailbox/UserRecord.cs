namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>A user as <c>epost-edge user list</c> shows it.</summary>
/// <param name="Name">Login name.</param>
/// <param name="Addresses">Mail addresses, lower-cased domain.</param>
/// <param name="PublicId">The user's POST id (hex of SHA-256 of the signing key).</param>
public sealed record UserRecord(string Name, IReadOnlyList<string> Addresses, string PublicId);
