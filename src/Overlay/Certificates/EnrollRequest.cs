using System.Diagnostics.CodeAnalysis;
using System.Net;
using NSec.Cryptography;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// What a joiner without a certificate sends its inviter: the invite's secret, the public keys
/// and endpoint to certify, and a proof that it holds the signing key (an Ed25519 signature by
/// that key over everything else), so nobody who merely saw the secret can get a key of someone
/// else's certified. Equality is by content.
/// </summary>
/// <remarks>
/// Encoding: version (1) || secret (16) || signing key (32) || agreement key (32) ||
/// endpoint (1 + 4|16 + 2) || proof (64). The proof signs "epostedge enroll v1\0" || the same
/// fields without the version and the proof.
/// </remarks>
public sealed record EnrollRequest(ReadOnlyMemory<byte> Secret, ReadOnlyMemory<byte> SigningKey, ReadOnlyMemory<byte> AgreementKey, IPEndPoint EndPoint, ReadOnlyMemory<byte> Proof)
{
    /// <summary>The encoding version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    private static readonly byte[] ProofLabel = "epostedge enroll v1\0"u8.ToArray();

    /// <summary>The request of <paramref name="joiner"/> to be certified at <paramref name="endPoint"/>, redeeming <paramref name="secret"/>.</summary>
    public static EnrollRequest Create(NodeIdentity joiner, ReadOnlyMemory<byte> secret, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(joiner);
        if (secret.Length != InviteToken.SecretSize)
        {
            throw new ArgumentException($"an invite secret is {InviteToken.SecretSize} bytes, got {secret.Length}", nameof(secret));
        }

        var proof = joiner.Sign(ProofMessage(secret.Span, joiner.SigningKey.Span, joiner.AgreementKey.Span, endPoint));
        return new EnrollRequest(secret.ToArray(), joiner.SigningKey.ToArray(), joiner.AgreementKey.ToArray(), endPoint, proof);
    }

    /// <summary>Whether <see cref="Proof"/> is the signing key's signature over the other fields.</summary>
    public bool ProofIsValid()
    {
        if (Secret.Length != InviteToken.SecretSize
            || AgreementKey.Length != NodeCertificate.KeySize
            || Proof.Length != NodeCertificate.SignatureSize
            || EndPoint is null
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, SigningKey.Span, KeyBlobFormat.RawPublicKey, out var key))
        {
            return false;
        }

        byte[] message;
        try
        {
            message = ProofMessage(Secret.Span, SigningKey.Span, AgreementKey.Span, EndPoint);
        }
        catch (ArgumentException)
        {
            return false; // an endpoint family the encoding has no byte for
        }

        return SignatureAlgorithm.Ed25519.Verify(key!, message, Proof.Span);
    }

    /// <summary>The request's bytes.</summary>
    public byte[] Encode()
    {
        var writer = new WireWriter(192);
        writer.WriteByte(CurrentVersion);
        WriteFields(writer, Secret.Span, SigningKey.Span, AgreementKey.Span, EndPoint);
        writer.WriteBytes(Proof.Span);
        return writer.ToArray();
    }

    /// <summary>Decodes exactly one request filling all of <paramref name="bytes"/>; false, never an exception, for anything else.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out EnrollRequest? request)
    {
        request = null;
        var reader = new WireReader(bytes);
        if (!reader.TryReadByte(out var version) || version != CurrentVersion
            || !reader.TryReadBytes(InviteToken.SecretSize, out var secret)
            || !reader.TryReadBytes(NodeCertificate.KeySize, out var signingKey)
            || !reader.TryReadBytes(NodeCertificate.KeySize, out var agreementKey)
            || !reader.TryReadEndPoint(out var endPoint)
            || !reader.TryReadBytes(NodeCertificate.SignatureSize, out var proof)
            || !reader.AtEnd)
        {
            return false;
        }

        request = new EnrollRequest(secret.ToArray(), signingKey.ToArray(), agreementKey.ToArray(), endPoint!, proof.ToArray());
        return true;
    }

    /// <inheritdoc />
    public bool Equals(EnrollRequest? other) =>
        other is not null
        && Secret.Span.SequenceEqual(other.Secret.Span)
        && SigningKey.Span.SequenceEqual(other.SigningKey.Span)
        && AgreementKey.Span.SequenceEqual(other.AgreementKey.Span)
        && Equals(EndPoint, other.EndPoint)
        && Proof.Span.SequenceEqual(other.Proof.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(EndPoint, SigningKey.Length);

    /// <summary>The secret is not shown.</summary>
    public override string ToString() => $"EnrollRequest {Ids.NodeId.Hash(SigningKey.Span).ToShortString()}@{EndPoint}";

    private static byte[] ProofMessage(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> agreementKey, IPEndPoint endPoint)
    {
        var writer = new WireWriter(192);
        writer.WriteBytes(ProofLabel);
        WriteFields(writer, secret, signingKey, agreementKey, endPoint);
        return writer.ToArray();
    }

    private static void WriteFields(WireWriter writer, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> agreementKey, IPEndPoint endPoint)
    {
        if (secret.Length != InviteToken.SecretSize || signingKey.Length != NodeCertificate.KeySize || agreementKey.Length != NodeCertificate.KeySize)
        {
            throw new InvalidOperationException("an enrollment request holds a 16-byte secret and two 32-byte keys");
        }

        writer.WriteBytes(secret);
        writer.WriteBytes(signingKey);
        writer.WriteBytes(agreementKey);
        writer.WriteEndPoint(endPoint);
    }
}
