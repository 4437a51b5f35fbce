using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class OverlayTrustTests
{
    [Fact]
    public void The_overlay_is_the_hash_of_the_founding_key()
    {
        using var founder = Members.Founder(1);
        var trust = new OverlayTrust(founder.Trust.FoundingKey.ToArray());
        Assert.Equal(NodeId.Hash(founder.Trust.FoundingKey.Span), trust.Overlay);
        Assert.Equal(founder.Trust.Overlay, trust.Overlay);
    }

    [Fact]
    public void A_founding_key_of_the_wrong_size_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new OverlayTrust(new byte[31]));
        Assert.Throws<ArgumentException>(() => new OverlayTrust(new byte[33]));
    }

    [Fact]
    public void A_certificate_of_another_overlay_is_refused()
    {
        using var ours = Members.Founder(2);
        using var theirs = Members.Founder(3);
        using var node = Members.Enrolled(theirs, 4, mayInvite: true);

        Assert.True(theirs.Trust.Verify(node.Certificate!, out _));
        Assert.False(ours.Trust.Verify(node.Certificate!, out var reason));
        Assert.Contains("overlay", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_claiming_our_overlay_but_signed_by_another_founder_is_refused()
    {
        using var ours = Members.Founder(5);
        using var theirs = Members.Founder(6);
        using var node = Members.Identity(7);
        var forged = NodeCertificate.Create(ours.Trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), true, null, node.SigningPrivateKey);

        Assert.False(ours.Trust.Verify(forged, out var reason));
        Assert.Contains("founding key", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_that_is_not_the_hash_of_the_signing_key_is_refused()
    {
        using var founder = Members.Founder(8);
        using var node = Members.Identity(9);
        var chosenId = NodeId.Parse("00000000000000000000000000000000000000aa");
        var wrongId = NodeCertificate.Create(founder.Trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), false, null, founder.FoundingPrivateKey, chosenId);

        Assert.Equal(chosenId, wrongId.Id);
        Assert.False(founder.Trust.Verify(wrongId, out var reason));
        Assert.Contains("hash of the signing key", reason, StringComparison.Ordinal);

        // The same certificate with the right id verifies: only the id made the difference.
        var rightId = NodeCertificate.Create(founder.Trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), false, null, founder.FoundingPrivateKey);
        Assert.True(founder.Trust.Verify(rightId, out reason), reason);
    }

    [Fact]
    public void A_member_issued_certificate_is_valid_only_when_the_issuer_may_invite()
    {
        using var founder = Members.Founder(11);
        using var inviter = Members.Enrolled(founder, 12, mayInvite: true);
        using var plain = Members.Enrolled(founder, 13, mayInvite: false);
        using var node = Members.Identity(14);

        Assert.True(founder.Trust.Verify(Members.IssuedBy(inviter, node), out var reason), reason);

        // IssueByMember refuses a member without the right; a forged one (signed anyway) is refused by Verify.
        Assert.Throws<InvalidOperationException>(() => Members.IssuedBy(plain, node));
        var forged = NodeCertificate.Create(founder.Trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), false, plain.Certificate, plain.SigningPrivateKey);
        Assert.False(founder.Trust.Verify(forged, out reason));
        Assert.Contains("no invite right", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_signed_by_someone_other_than_its_issuer_is_refused()
    {
        using var founder = Members.Founder(15);
        using var inviter = Members.Enrolled(founder, 16, mayInvite: true);
        using var impostor = Members.Identity(17);
        using var node = Members.Identity(18);
        var forged = NodeCertificate.Create(founder.Trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), false, inviter.Certificate, impostor.SigningPrivateKey);

        Assert.False(founder.Trust.Verify(forged, out var reason));
        Assert.Contains("signature does not verify by issuer", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_issuer_from_another_overlay_is_refused()
    {
        using var ours = Members.Founder(19);
        using var theirs = Members.Founder(20);
        using var inviter = Members.Enrolled(theirs, 21, mayInvite: true);
        using var node = Members.Identity(22);
        var crossed = NodeCertificate.Create(ours.Trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), false, inviter.Certificate, inviter.SigningPrivateKey);

        Assert.False(ours.Trust.Verify(crossed, out var reason));
        Assert.Contains("does not verify", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_member_issued_certificate_cannot_carry_the_invite_right()
    {
        using var founder = Members.Founder(23);
        using var inviter = Members.Enrolled(founder, 24, mayInvite: true);
        using var node = Members.Identity(25);
        var escalated = NodeCertificate.Create(founder.Trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), true, inviter.Certificate, inviter.SigningPrivateKey);

        Assert.False(founder.Trust.Verify(escalated, out var reason));
        Assert.Contains("invite right", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_deeper_than_one_member_is_refused()
    {
        using var founder = Members.Founder(26);
        using var first = Members.Enrolled(founder, 27, mayInvite: true);
        using var second = Members.Identity(28);
        using var third = Members.Identity(29);

        // first (founding-signed, may invite) -> second (claims the invite right) -> third.
        second.Certificate = NodeCertificate.Create(founder.Trust.Overlay, second.SigningKey.Span, second.AgreementKey.Span, Members.V4(2), true, first.Certificate, first.SigningPrivateKey);
        Assert.Throws<InvalidOperationException>(() => Members.IssuedBy(second, third));
        var deep = NodeCertificate.Create(founder.Trust.Overlay, third.SigningKey.Span, third.AgreementKey.Span, Members.V4(3), false, second.Certificate, second.SigningPrivateKey);

        Assert.Equal(2, deep.IssuerDepth);
        Assert.False(founder.Trust.Verify(deep, out var reason));
        Assert.Contains("deep", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verified_certificates_are_remembered_up_to_the_capacity()
    {
        using var founder = Members.Founder(30);
        var trust = new OverlayTrust(founder.Trust.FoundingKey);
        using var inviter = Members.Enrolled(founder, 31, mayInvite: true);
        using var node = Members.Identity(32);
        var issued = Members.IssuedBy(inviter, node);

        Assert.True(trust.Verify(issued, out _));
        Assert.Equal(2, trust.CachedCount); // the certificate and its issuer
        Assert.True(trust.Verify(issued, out _));
        Assert.Equal(2, trust.CachedCount);

        // A refused certificate is not remembered.
        Assert.False(trust.Verify(NodeCertificate.Create(trust.Overlay, node.SigningKey.Span, node.AgreementKey.Span, Members.V4(1), false, null, node.SigningPrivateKey), out _));
        Assert.Equal(2, trust.CachedCount);
    }

    [Fact]
    public void The_cache_never_grows_past_its_capacity()
    {
        using var founder = Members.Founder(33);
        var trust = new OverlayTrust(founder.Trust.FoundingKey);
        using var node = Members.Identity(34);
        for (var port = 0; port < OverlayTrust.CacheCapacity + 10; port++)
        {
            Assert.True(trust.Verify(founder.Issue(node.SigningKey, node.AgreementKey, Members.V4(1, port), false), out _));
        }

        Assert.Equal(OverlayTrust.CacheCapacity, trust.CachedCount);
    }
}
