using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class InviteLedgerTests
{
    [Fact]
    public void A_token_names_the_overlay_and_the_inviter_and_its_secret_redeems_once()
    {
        using var founder = Members.Founder(1);
        using var inviter = Members.Enrolled(founder, 2, mayInvite: true, Members.V6(5, 7000));
        var ledger = new InviteLedger();
        var random = new SeededRandomSource(3);

        var token = ledger.Create(inviter.Certificate!, founder.Trust, random);
        Assert.Equal(founder.Trust.Overlay, token.Overlay);
        Assert.Equal(founder.Trust.FoundingKey.ToArray(), token.FoundingKey.ToArray());
        Assert.Equal(Members.V6(5, 7000), token.Inviter);
        Assert.Equal(InviteToken.SecretSize, token.Secret.Length);
        Assert.Equal(1, ledger.Pending);

        Assert.True(InviteToken.TryParse(token.ToString(), out var parsed));
        Assert.True(ledger.TryRedeem(parsed.Secret.Span));
        Assert.Equal(0, ledger.Pending);
        Assert.False(ledger.TryRedeem(parsed.Secret.Span));
    }

    [Fact]
    public void Unknown_secrets_do_not_redeem_and_each_secret_is_its_own()
    {
        using var founder = Members.Founder(4);
        using var inviter = Members.Enrolled(founder, 5, mayInvite: true);
        var ledger = new InviteLedger();
        var random = new SeededRandomSource(6);
        var first = ledger.Create(inviter.Certificate!, founder.Trust, random);
        var second = ledger.Create(inviter.Certificate!, founder.Trust, random);
        Assert.NotEqual(first.Secret.ToArray(), second.Secret.ToArray());

        Assert.False(ledger.TryRedeem(Members.Flip(first.Secret.Span, 0)));
        Assert.False(ledger.TryRedeem(first.Secret.Span[..15]));
        Assert.False(ledger.TryRedeem([]));
        Assert.Equal(2, ledger.Pending);

        Assert.True(ledger.TryRedeem(second.Secret.Span));
        Assert.True(ledger.TryRedeem(first.Secret.Span));
        Assert.Equal(0, ledger.Pending);
    }

    [Fact]
    public void Export_and_import_keep_the_pending_secrets_only()
    {
        using var founder = Members.Founder(7);
        using var inviter = Members.Enrolled(founder, 8, mayInvite: true);
        var ledger = new InviteLedger();
        var random = new SeededRandomSource(9);
        var tokens = Enumerable.Range(0, 5).Select(_ => ledger.Create(inviter.Certificate!, founder.Trust, random)).ToArray();
        Assert.True(ledger.TryRedeem(tokens[2].Secret.Span));

        var exported = ledger.Export();
        var back = InviteLedger.Import(exported);

        Assert.Equal(4, back.Pending);
        foreach (var secret in tokens.Select(t => t.Secret.ToArray()))
        {
            Assert.False(exported.AsSpan().IndexOf(secret) >= 0, "the export holds a secret in the clear");
        }

        Assert.False(back.TryRedeem(tokens[2].Secret.Span));
        foreach (var i in new[] { 0, 1, 3, 4 })
        {
            Assert.True(back.TryRedeem(tokens[i].Secret.Span));
        }

        Assert.Equal(0, back.Pending);
        Assert.Equal(0, InviteLedger.Import(back.Export()).Pending);
    }

    [Fact]
    public void Import_refuses_malformed_exports()
    {
        using var founder = Members.Founder(10);
        using var inviter = Members.Enrolled(founder, 11, mayInvite: true);
        var ledger = new InviteLedger();
        var random = new SeededRandomSource(12);
        ledger.Create(inviter.Certificate!, founder.Trust, random);
        ledger.Create(inviter.Certificate!, founder.Trust, random);
        var exported = ledger.Export();

        for (var length = 0; length < exported.Length; length++)
        {
            Assert.Throws<FormatException>(() => InviteLedger.Import(exported.AsSpan(0, length)));
        }

        Assert.Throws<FormatException>(() => InviteLedger.Import([.. exported, 0]));
        exported[0] = 2;
        Assert.Throws<FormatException>(() => InviteLedger.Import(exported));
    }

    [Fact]
    public void An_inviter_that_does_not_verify_cannot_create_invites()
    {
        using var ours = Members.Founder(13);
        using var theirs = Members.Founder(14);
        using var stranger = Members.Enrolled(theirs, 15, mayInvite: true);
        var ledger = new InviteLedger();

        Assert.Throws<ArgumentException>(() => ledger.Create(stranger.Certificate!, ours.Trust, new SeededRandomSource(16)));
        Assert.Equal(0, ledger.Pending);
    }
}
