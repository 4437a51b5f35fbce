using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// A one-time invitation, printed by <c>epost-edge invite</c> and redeemed by
/// <c>epost-edge join TOKEN host:port</c>: which overlay (and its founding key, so the joiner
/// can verify every certificate it meets from the first message on), where the inviter is, and
/// a 16-byte secret the inviter's <see cref="InviteLedger"/> accepts once.
/// </summary>
/// <remarks>
/// Text form: "epost-invite:" + base64url without padding (RFC 4648 §5) of
/// version (1) || overlay (20) || founding key (32) || inviter endpoint (1 + 4|16 + 2) || secret (16).
/// Equality is by content.
/// </remarks>
public sealed record InviteToken(NodeId Overlay, ReadOnlyMemory<byte> FoundingKey, IPEndPoint Inviter, ReadOnlyMemory<byte> Secret)
{
    /// <summary>What every token's text starts with.</summary>
    public const string Prefix = "epost-invite:";

    /// <summary>The encoding version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Bytes in the one-time secret.</summary>
    public const int SecretSize = 16;

    // Longest valid token text (IPv6 inviter), with room to spare; longer input is refused unread.
    private const int MaxTextLength = 256;

    /// <summary>The token's text form.</summary>
    public override string ToString()
    {
        if (FoundingKey.Length != NodeCertificate.KeySize || Secret.Length != SecretSize)
        {
            throw new InvalidOperationException($"an invite token holds a {NodeCertificate.KeySize}-byte founding key and a {SecretSize}-byte secret");
        }

        var writer = new WireWriter(96);
        writer.WriteByte(CurrentVersion);
        Span<byte> overlay = stackalloc byte[NodeId.Size];
        Overlay.WriteTo(overlay);
        writer.WriteBytes(overlay);
        writer.WriteBytes(FoundingKey.Span);
        writer.WriteEndPoint(Inviter);
        writer.WriteBytes(Secret.Span);
        return Prefix + Base64Url.EncodeToString(writer.Written);
    }

    /// <summary>Parses a token's text form (surrounding white space ignored); false, never an exception, for anything else.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out InviteToken? token)
    {
        token = null;
        var span = text.AsSpan().Trim();
        if (span.Length > MaxTextLength || !span.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        // The OperationStatus overload: TryDecodeFromChars throws on a character outside the alphabet.
        Span<byte> bytes = stackalloc byte[MaxTextLength];
        var encoded = span[Prefix.Length..];
        if (Base64Url.DecodeFromChars(encoded, bytes, out var read, out var length) != OperationStatus.Done || read != encoded.Length)
        {
            return false;
        }

        var reader = new WireReader(bytes[..length]);
        if (!reader.TryReadByte(out var version) || version != CurrentVersion
            || !reader.TryReadBytes(NodeId.Size, out var overlay)
            || !reader.TryReadBytes(NodeCertificate.KeySize, out var foundingKey)
            || !reader.TryReadEndPoint(out var inviter)
            || !reader.TryReadBytes(SecretSize, out var secret)
            || !reader.AtEnd)
        {
            return false;
        }

        // The overlay id is the founding key's hash: a token whose two disagree was mistyped or forged.
        var overlayId = NodeId.Read(overlay);
        if (overlayId != NodeId.Hash(foundingKey))
        {
            return false;
        }

        token = new InviteToken(overlayId, foundingKey.ToArray(), inviter!, secret.ToArray());
        return true;
    }

    /// <inheritdoc />
    public bool Equals(InviteToken? other) =>
        other is not null
        && Overlay == other.Overlay
        && FoundingKey.Span.SequenceEqual(other.FoundingKey.Span)
        && Equals(Inviter, other.Inviter)
        && Secret.Span.SequenceEqual(other.Secret.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Overlay, Inviter);
}
