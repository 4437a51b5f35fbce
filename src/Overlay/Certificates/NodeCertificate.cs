using System.Diagnostics.CodeAnalysis;
using System.Net;
using EPostEdge.Overlay.Ids;
using NSec.Cryptography;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// A certified nodeId (ePOST, after Castro et al., "Secure routing for structured peer-to-peer
/// overlay networks", §4.2: ids are assigned by a certifying authority so that an attacker
/// cannot choose ids or create many of them). The id is the hash of the node's Ed25519 key, so
/// it cannot be chosen; the certificate binds it to the node's X25519 key and endpoint and is
/// signed by the overlay's founding key, or by a member whose own founding-signed certificate
/// carries the invite right. Immutable; its <see cref="Encoded"/> bytes are what travels.
/// </summary>
/// <remarks>
/// Encoding, version 1 (all integers big-endian):
/// <code>
/// version     1   = 1
/// flags       1   bit 0 MayInvite, bit 1 has issuer; other bits 0
/// overlay    20   NodeId.Hash(founding public key)
/// id         20   NodeId.Hash(signing key)
/// signing    32   Ed25519 public key
/// agreement  32   X25519 public key
/// endpoint   1 + 4|16 + 2   family (4 or 6), address, port
/// issuer      …   the issuing member's certificate, this same encoding (only with flag bit 1)
/// signature  64   Ed25519 over SignatureLabel || every byte above
/// </code>
/// Decoding only checks the shape; <see cref="OverlayTrust.Verify"/> checks the meaning.
/// </remarks>
public sealed class NodeCertificate : IEquatable<NodeCertificate>
{
    /// <summary>The encoding version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Length of a raw Ed25519 or X25519 public key.</summary>
    public const int KeySize = 32;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    // Nested issuers the decoder accepts. Verify allows one; decoding a little more lets it say
    // why a deeper chain is refused, and the bound keeps garbage from recursing without end.
    internal const int MaxDecodedIssuerDepth = 3;

    private const byte FlagMayInvite = 0x01;
    private const byte FlagHasIssuer = 0x02;

    // Domain separation: a certificate signature can never be mistaken for any other signature
    // the same key makes (enrollment proofs, application messages).
    private static readonly byte[] SignatureLabel = "epostedge node certificate v1\0"u8.ToArray();

    private readonly byte[] _encoded;
    private readonly int _signedLength;

    private NodeCertificate(byte[] encoded, int signedLength, byte version, NodeId overlay, NodeId id, IPEndPoint endPoint, bool mayInvite, NodeCertificate? issuer, int signingOffset)
    {
        _encoded = encoded;
        _signedLength = signedLength;
        Version = version;
        Overlay = overlay;
        Id = id;
        EndPoint = endPoint;
        MayInvite = mayInvite;
        Issuer = issuer;
        SigningKey = encoded.AsMemory(signingOffset, KeySize);
        AgreementKey = encoded.AsMemory(signingOffset + KeySize, KeySize);
        Handle = new NodeHandle(id, endPoint);
    }

    /// <summary>The encoding version the certificate was decoded from.</summary>
    public byte Version { get; }

    /// <summary>The node's id; valid only when it equals <c>NodeId.Hash(SigningKey.Span)</c> (checked by <see cref="OverlayTrust.Verify"/>).</summary>
    public NodeId Id { get; }

    /// <summary>The node's Ed25519 public key (32 bytes).</summary>
    public ReadOnlyMemory<byte> SigningKey { get; }

    /// <summary>The node's X25519 public key (32 bytes), for link keys.</summary>
    public ReadOnlyMemory<byte> AgreementKey { get; }

    /// <summary>Where peers reach the node. Shared, not copied: do not mutate it.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Whether the node may issue certificates to new members (only a founding-signed certificate may carry it).</summary>
    public bool MayInvite { get; }

    /// <summary>Which overlay: <c>NodeId.Hash(founding public key)</c>.</summary>
    public NodeId Overlay { get; }

    /// <summary>The member that signed this certificate; null when the founding key did.</summary>
    public NodeCertificate? Issuer { get; }

    /// <summary>The exact encoding, issuer chain and signature included.</summary>
    public ReadOnlyMemory<byte> Encoded => _encoded;

    /// <summary>The Ed25519 signature at the end of <see cref="Encoded"/>.</summary>
    public ReadOnlyMemory<byte> Signature => _encoded.AsMemory(_signedLength, SignatureSize);

    /// <summary>The node as routing state holds it.</summary>
    public NodeHandle Handle { get; }

    /// <summary>Members between this certificate and the founding key: 0 when founding-signed.</summary>
    public int IssuerDepth => Issuer is null ? 0 : 1 + Issuer.IssuerDepth;

    /// <summary>
    /// Decodes one certificate from the start of <paramref name="bytes"/> (trailing bytes are
    /// left alone; <paramref name="consumed"/> says how many were read). False, never an
    /// exception, for anything that is not a well-formed certificate of a known version.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out NodeCertificate? certificate, out int consumed) =>
        TryDecode(bytes, 0, out certificate, out consumed);

    /// <summary>Whether the signature over this certificate's signed bytes verifies with <paramref name="signer"/>.</summary>
    internal bool SignatureVerifies(PublicKey signer) =>
        SignatureAlgorithm.Ed25519.Verify(signer, SignedMessage(_encoded.AsSpan(0, _signedLength)), Signature.Span);

    /// <summary>
    /// Builds and signs a certificate. <paramref name="id"/> overrides the derived id (tests use
    /// it to make a validly signed certificate whose id is wrong).
    /// </summary>
    internal static NodeCertificate Create(
        NodeId overlay,
        ReadOnlySpan<byte> signingKey,
        ReadOnlySpan<byte> agreementKey,
        IPEndPoint endPoint,
        bool mayInvite,
        NodeCertificate? issuer,
        Key signer,
        NodeId? id = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        CheckKey(signingKey, nameof(signingKey));
        CheckKey(agreementKey, nameof(agreementKey));
        WireWriter.CheckEndPoint(endPoint);

        var writer = new WireWriter();
        writer.WriteByte(CurrentVersion);
        writer.WriteByte((byte)((mayInvite ? FlagMayInvite : 0) | (issuer is null ? 0 : FlagHasIssuer)));
        Span<byte> idBytes = stackalloc byte[NodeId.Size];
        overlay.WriteTo(idBytes);
        writer.WriteBytes(idBytes);
        (id ?? NodeId.Hash(signingKey)).WriteTo(idBytes);
        writer.WriteBytes(idBytes);
        writer.WriteBytes(signingKey);
        writer.WriteBytes(agreementKey);
        writer.WriteEndPoint(endPoint);
        if (issuer is not null)
        {
            writer.WriteBytes(issuer._encoded);
        }

        writer.WriteBytes(SignatureAlgorithm.Ed25519.Sign(signer, SignedMessage(writer.Written)));
        var encoded = writer.ToArray();
        if (!TryDecode(encoded, out var certificate, out var consumed) || consumed != encoded.Length)
        {
            throw new InvalidOperationException("a freshly encoded certificate did not decode");
        }

        return certificate;
    }

    /// <inheritdoc />
    public bool Equals(NodeCertificate? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NodeCertificate);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, _encoded.Length);

    /// <inheritdoc />
    public override string ToString() =>
        $"NodeCertificate {Id.ToShortString()}@{EndPoint} overlay {Overlay.ToShortString()}{(MayInvite ? " may-invite" : "")}{(Issuer is null ? "" : $" issued-by {Issuer.Id.ToShortString()}")}";

    private static bool TryDecode(ReadOnlySpan<byte> bytes, int depth, [NotNullWhen(true)] out NodeCertificate? certificate, out int consumed)
    {
        certificate = null;
        consumed = 0;
        var reader = new WireReader(bytes);
        if (!reader.TryReadByte(out var version) || version != CurrentVersion
            || !reader.TryReadByte(out var flags) || (flags & ~(FlagMayInvite | FlagHasIssuer)) != 0
            || !reader.TryReadBytes(NodeId.Size, out var overlay)
            || !reader.TryReadBytes(NodeId.Size, out var id))
        {
            return false;
        }

        var signingOffset = reader.Consumed;
        if (!reader.TryReadBytes(2 * KeySize, out _) || !reader.TryReadEndPoint(out var endPoint))
        {
            return false;
        }

        NodeCertificate? issuer = null;
        if ((flags & FlagHasIssuer) != 0)
        {
            if (depth >= MaxDecodedIssuerDepth || !TryDecode(reader.Rest, depth + 1, out issuer, out var issuerLength))
            {
                return false;
            }

            reader.Skip(issuerLength);
        }

        var signedLength = reader.Consumed;
        if (!reader.TryReadBytes(SignatureSize, out _))
        {
            return false;
        }

        consumed = reader.Consumed;
        certificate = new NodeCertificate(
            bytes[..consumed].ToArray(),
            signedLength,
            version,
            NodeId.Read(overlay),
            NodeId.Read(id),
            endPoint!,
            (flags & FlagMayInvite) != 0,
            issuer,
            signingOffset);
        return true;
    }

    private static byte[] SignedMessage(ReadOnlySpan<byte> body)
    {
        var message = new byte[SignatureLabel.Length + body.Length];
        SignatureLabel.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(SignatureLabel.Length));
        return message;
    }

    private static void CheckKey(ReadOnlySpan<byte> key, string name)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"a public key is {KeySize} bytes, got {key.Length}", name);
        }
    }
}
