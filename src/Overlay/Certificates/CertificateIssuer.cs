using System.Net;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// Issuing by member right: a member whose founding-signed certificate carries the invite right
/// certifies a new node, so the founder need not be online for the overlay to grow. The chain
/// stops there (<see cref="OverlayTrust.Verify"/> allows one member between a node and the
/// founding key), which bounds what one compromised inviter can do to the certificates it signed.
/// </summary>
public static class CertificateIssuer
{
    /// <summary>
    /// A certificate for the node with these public keys, signed by <paramref name="member"/>,
    /// with <see cref="NodeCertificate.Issuer"/> = the member's certificate and no invite right.
    /// </summary>
    /// <exception cref="InvalidOperationException">The member has no certificate, or it carries no invite right, or it is itself member-issued.</exception>
    public static NodeCertificate IssueByMember(NodeIdentity member, ReadOnlyMemory<byte> signingKey, ReadOnlyMemory<byte> agreementKey, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(member);
        var own = member.Certificate ?? throw new InvalidOperationException($"node {member.Id.ToShortString()} has no certificate to issue by");
        if (!own.MayInvite || own.Issuer is not null)
        {
            throw new InvalidOperationException($"node {member.Id.ToShortString()} has no invite right");
        }

        return NodeCertificate.Create(own.Overlay, signingKey.Span, agreementKey.Span, endPoint, mayInvite: false, own, member.SigningPrivateKey);
    }
}
