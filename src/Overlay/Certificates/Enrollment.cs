namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// The inviter's side of enrollment, pure: given a request, the ledger of pending invites and
/// the node's keys, decide and issue. The overlay's wire layer carries request and reply.
/// </summary>
public static class Enrollment
{
    /// <summary>Refusal when the proof of key possession does not verify.</summary>
    public const string BadProof = "the proof of key possession does not verify";

    /// <summary>Refusal when the secret is not a pending invite (never issued, or already used).</summary>
    public const string UnknownInvite = "the invite is unknown or already used";

    /// <summary>Refusal when this node can issue neither by founding key nor by member right.</summary>
    public const string CannotIssue = "this node may not issue certificates";

    /// <summary>
    /// A certificate for the requested keys and endpoint (by <paramref name="founder"/> when this
    /// node holds the founding key, else by <paramref name="inviter"/>'s invite right), or a
    /// refusal. The secret is spent only once everything else checks out, so a malformed or
    /// forged request cannot burn a real invitation. Issued certificates carry no invite right.
    /// </summary>
    public static EnrollReply Answer(EnrollRequest request, InviteLedger ledger, OverlayFounder? founder, NodeIdentity inviter)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(inviter);
        if (!request.ProofIsValid())
        {
            return EnrollReply.Refused(BadProof);
        }

        var own = inviter.Certificate;
        if (founder is null && (own is null || !own.MayInvite || own.Issuer is not null))
        {
            return EnrollReply.Refused(CannotIssue);
        }

        if (!ledger.TryRedeem(request.Secret.Span))
        {
            return EnrollReply.Refused(UnknownInvite);
        }

        var certificate = founder is not null
            ? founder.Issue(request.SigningKey, request.AgreementKey, request.EndPoint, mayInvite: false)
            : CertificateIssuer.IssueByMember(inviter, request.SigningKey, request.AgreementKey, request.EndPoint);
        return EnrollReply.Issued(certificate);
    }
}
