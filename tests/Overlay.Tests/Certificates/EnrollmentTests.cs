using CsCheck;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class EnrollmentTests
{
    [Fact]
    public void A_valid_request_to_the_founder_gets_a_certificate_for_the_requested_keys_and_endpoint()
    {
        using var founder = Members.Founder(1);
        using var inviter = Members.Enrolled(founder, 2, mayInvite: true);
        Gen.Select(Members.Seeds, Members.EndPoints).Sample((seed, endPoint) =>
        {
            var ledger = new InviteLedger();
            var token = ledger.Create(inviter.Certificate!, founder.Trust, new SeededRandomSource(seed));
            using var joiner = Members.Identity(seed);

            var reply = Answer(EnrollRequest.Create(joiner, token.Secret, endPoint), ledger, founder, inviter);

            Assert.Null(reply.Refusal);
            var certificate = reply.Certificate!;
            Assert.Null(certificate.Issuer);
            Assert.False(certificate.MayInvite);
            Assert.Equal(joiner.Id, certificate.Id);
            Assert.Equal(joiner.SigningKey.ToArray(), certificate.SigningKey.ToArray());
            Assert.Equal(joiner.AgreementKey.ToArray(), certificate.AgreementKey.ToArray());
            Assert.Equal(endPoint, certificate.EndPoint);
            Assert.True(founder.Trust.Verify(certificate, out var reason), reason);
            joiner.Certificate = certificate;
        }, iter: 30);
    }

    [Fact]
    public void A_member_with_the_invite_right_issues_by_member_right()
    {
        using var founder = Members.Founder(3);
        using var inviter = Members.Enrolled(founder, 4, mayInvite: true);
        using var joiner = Members.Identity(5);
        var ledger = new InviteLedger();
        var token = ledger.Create(inviter.Certificate!, founder.Trust, new SeededRandomSource(6));

        var reply = Answer(EnrollRequest.Create(joiner, token.Secret, Members.V4(20)), ledger, null, inviter);

        Assert.Equal(inviter.Certificate, reply.Certificate!.Issuer);
        Assert.Equal(Members.V4(20), reply.Certificate.EndPoint);
        Assert.True(new OverlayTrust(token.FoundingKey).Verify(reply.Certificate, out var reason), reason);
    }

    [Fact]
    public void A_member_without_the_invite_right_refuses_and_keeps_the_secret()
    {
        using var founder = Members.Founder(7);
        using var inviter = Members.Enrolled(founder, 8, mayInvite: false);
        using var joiner = Members.Identity(9);
        var ledger = new InviteLedger();
        var token = ledger.Create(inviter.Certificate!, founder.Trust, new SeededRandomSource(10));

        var reply = Answer(EnrollRequest.Create(joiner, token.Secret, Members.V4(20)), ledger, null, inviter);

        Assert.Null(reply.Certificate);
        Assert.Equal(Enrollment.CannotIssue, reply.Refusal);
        Assert.Equal(1, ledger.Pending);
    }

    [Fact]
    public void A_bad_secret_is_refused()
    {
        using var founder = Members.Founder(11);
        using var inviter = Members.Enrolled(founder, 12, mayInvite: true);
        using var joiner = Members.Identity(13);
        var ledger = new InviteLedger();
        var token = ledger.Create(inviter.Certificate!, founder.Trust, new SeededRandomSource(14));

        var reply = Answer(EnrollRequest.Create(joiner, Members.Flip(token.Secret.Span, 5), Members.V4(20)), ledger, founder, inviter);

        Assert.Null(reply.Certificate);
        Assert.Equal(Enrollment.UnknownInvite, reply.Refusal);
        Assert.Equal(1, ledger.Pending);
    }

    [Fact]
    public void A_reused_secret_is_refused()
    {
        using var founder = Members.Founder(15);
        using var inviter = Members.Enrolled(founder, 16, mayInvite: true);
        using var first = Members.Identity(17);
        using var second = Members.Identity(18);
        var ledger = new InviteLedger();
        var token = ledger.Create(inviter.Certificate!, founder.Trust, new SeededRandomSource(19));

        Assert.NotNull(Answer(EnrollRequest.Create(first, token.Secret, Members.V4(20)), ledger, founder, inviter).Certificate);
        var again = Answer(EnrollRequest.Create(second, token.Secret, Members.V4(21)), ledger, founder, inviter);

        Assert.Null(again.Certificate);
        Assert.Equal(Enrollment.UnknownInvite, again.Refusal);
    }

    [Fact]
    public void A_bad_proof_is_refused_without_spending_the_secret()
    {
        using var founder = Members.Founder(20);
        using var inviter = Members.Enrolled(founder, 21, mayInvite: true);
        using var joiner = Members.Identity(22);
        using var victim = Members.Identity(23);
        var ledger = new InviteLedger();
        var token = ledger.Create(inviter.Certificate!, founder.Trust, new SeededRandomSource(24));
        var honest = EnrollRequest.Create(joiner, token.Secret, Members.V4(20));

        var forgeries = new[]
        {
            honest with { SigningKey = victim.SigningKey }, // someone else's key, without its private half
            honest with { AgreementKey = victim.AgreementKey },
            honest with { EndPoint = Members.V4(66) },
            honest with { Proof = Members.Flip(honest.Proof.Span, 100) },
        };
        foreach (var forged in forgeries)
        {
            Assert.False(forged.ProofIsValid());
            var reply = Answer(forged, ledger, founder, inviter);
            Assert.Null(reply.Certificate);
            Assert.Equal(Enrollment.BadProof, reply.Refusal);
        }

        Assert.False((honest with { Proof = honest.Proof[..63] }).ProofIsValid());
        Assert.Equal(BadProofReply, Enrollment.Answer(honest with { Proof = honest.Proof[..63] }, ledger, founder, inviter));
        Assert.Equal(1, ledger.Pending);
        Assert.True(honest.ProofIsValid());
        Assert.NotNull(Answer(honest, ledger, founder, inviter).Certificate);
    }

    [Fact]
    public void Requests_round_trip_and_every_prefix_fails()
    {
        Gen.Select(Members.Seeds, Gen.Byte.Array[InviteToken.SecretSize], Members.EndPoints).Sample((seed, secret, endPoint) =>
        {
            using var joiner = Members.Identity(seed);
            var request = EnrollRequest.Create(joiner, secret, endPoint);
            var encoded = request.Encode();

            Assert.True(EnrollRequest.TryDecode(encoded, out var decoded));
            Assert.Equal(request, decoded);
            Assert.True(decoded.ProofIsValid());
            for (var length = 0; length < encoded.Length; length++)
            {
                Assert.False(EnrollRequest.TryDecode(encoded.AsSpan(0, length), out _));
            }

            Assert.False(EnrollRequest.TryDecode([.. encoded, 0], out _));
        }, iter: 20);
    }

    [Fact]
    public void Replies_round_trip_and_every_prefix_fails()
    {
        using var founder = Members.Founder(25);
        using var inviter = Members.Enrolled(founder, 26, mayInvite: true);
        using var joiner = Members.Identity(27);
        var replies = new[]
        {
            EnrollReply.Issued(Members.IssuedBy(inviter, joiner)),
            EnrollReply.Issued(inviter.Certificate!),
            EnrollReply.Refused(Enrollment.UnknownInvite),
            EnrollReply.Refused("ünïcödé refusal"),
            EnrollReply.Refused(""),
        };
        foreach (var reply in replies)
        {
            var encoded = reply.Encode();
            Assert.True(EnrollReply.TryDecode(encoded, out var decoded));
            Assert.Equal(reply, decoded);
            for (var length = 0; length < encoded.Length; length++)
            {
                Assert.False(EnrollReply.TryDecode(encoded.AsSpan(0, length), out _));
            }

            Assert.False(EnrollReply.TryDecode([.. encoded, 0], out _));
        }

        Assert.Throws<InvalidOperationException>(() => new EnrollReply(null, null).Encode());
        Assert.Throws<InvalidOperationException>(() => new EnrollReply(inviter.Certificate, "both").Encode());
    }

    [Fact]
    public void Garbage_never_throws()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            if (EnrollRequest.TryDecode(bytes, out var request))
            {
                Assert.Equal(bytes, request.Encode());
            }

            if (EnrollReply.TryDecode(bytes, out var reply))
            {
                Assert.Equal(bytes, reply.Encode());
            }
        }, iter: 2000);
    }

    [Fact]
    public void A_refusal_that_is_not_utf8_is_not_a_reply()
    {
        Assert.True(EnrollReply.TryDecode([EnrollReply.CurrentVersion, 2, 0, 2, 0xC3, 0xA9], out var valid));
        Assert.Equal("é", valid.Refusal);
        Assert.False(EnrollReply.TryDecode([EnrollReply.CurrentVersion, 2, 0, 2, 0xC3, 0x28], out _));
    }

    private static readonly EnrollReply BadProofReply = EnrollReply.Refused(Enrollment.BadProof);

    private static EnrollReply Answer(EnrollRequest request, InviteLedger ledger, OverlayFounder? founder, NodeIdentity inviter)
    {
        // Through the bytes, as the wire carries them.
        Assert.True(EnrollRequest.TryDecode(request.Encode(), out var received));
        var reply = Enrollment.Answer(received, ledger, founder, inviter);
        Assert.True(EnrollReply.TryDecode(reply.Encode(), out var answered));
        return answered;
    }
}
