using System.Security.Cryptography;
using CsCheck;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using NSec.Cryptography;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class NodeIdentityTests
{
    [Fact]
    public void The_same_seed_makes_the_same_identity_and_different_seeds_different_ones()
    {
        Gen.Select(Members.Seeds, Members.Seeds).Where((a, b) => a != b).Sample((a, b) =>
        {
            using var first = Members.Identity(a);
            using var again = Members.Identity(a);
            using var other = Members.Identity(b);
            Assert.Equal(first.Id, again.Id);
            Assert.Equal(first.AgreementKey.ToArray(), again.AgreementKey.ToArray());
            Assert.NotEqual(first.Id, other.Id);
            Assert.Equal(NodeId.Hash(first.SigningKey.Span), first.Id);
        }, iter: 30);
    }

    [Fact]
    public void Signatures_verify_by_the_signing_key()
    {
        using var node = Members.Identity(1);
        var data = "some message"u8.ToArray();
        var signature = node.Sign(data);
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, node.SigningKey.Span, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, data, signature));
        Assert.False(SignatureAlgorithm.Ed25519.Verify(key, "some messagE"u8, signature));
    }

    [Fact]
    public void The_certificate_must_be_for_this_nodes_keys()
    {
        using var founder = Members.Founder(2);
        using var node = Members.Identity(3);
        using var other = Members.Identity(4);
        var mine = founder.Issue(node.SigningKey, node.AgreementKey, Members.V4(1), false);
        var swappedAgreement = founder.Issue(node.SigningKey, other.AgreementKey, Members.V4(1), false);

        node.Certificate = mine;
        Assert.Same(mine, node.Certificate);
        Assert.Throws<ArgumentException>(() => node.Certificate = founder.Issue(other.SigningKey, other.AgreementKey, Members.V4(2), false));
        Assert.Throws<ArgumentException>(() => node.Certificate = swappedAgreement);
        Assert.Same(mine, node.Certificate);
    }

    [Fact]
    public void Export_and_import_keep_the_keys_and_the_certificate()
    {
        using var founder = Members.Founder(5);
        Gen.Select(Members.Seeds, Gen.Bool, Members.EndPoints).Sample((seed, enrolled, endPoint) =>
        {
            using var node = Members.Identity(seed);
            if (enrolled)
            {
                node.Certificate = founder.Issue(node.SigningKey, node.AgreementKey, endPoint, mayInvite: false);
            }

            using var back = NodeIdentity.Import(node.Export());
            Assert.Equal(node.Id, back.Id);
            Assert.Equal(node.AgreementKey.ToArray(), back.AgreementKey.ToArray());
            Assert.Equal(node.Certificate, back.Certificate);
            Assert.Equal(node.Sign("x"u8), back.Sign("x"u8)); // Ed25519 is deterministic: same private key
            using var peer = Members.Identity(seed + 1);
            var peerCertificate = founder.Issue(peer.SigningKey, peer.AgreementKey, Members.V4(9), false);
            Assert.Equal(node.DeriveLinkKey(peerCertificate), back.DeriveLinkKey(peerCertificate));
        }, iter: 30);
    }

    [Fact]
    public void Import_refuses_malformed_exports()
    {
        using var founder = Members.Founder(6);
        using var node = Members.Enrolled(founder, 7, mayInvite: true);
        using var other = Members.Enrolled(founder, 8, mayInvite: false);
        var exported = node.Export();

        for (var length = 0; length < exported.Length; length++)
        {
            Assert.Throws<FormatException>(() => NodeIdentity.Import(exported.AsSpan(0, length)));
        }

        Assert.Throws<FormatException>(() => NodeIdentity.Import([.. exported, 0]));
        var badVersion = exported.ToArray();
        badVersion[0] = 2;
        Assert.Throws<FormatException>(() => NodeIdentity.Import(badVersion));

        // This node's private keys with the other node's certificate.
        byte[] mismatched = [.. exported[..66], .. other.Certificate!.Encoded.ToArray()];
        Assert.Throws<FormatException>(() => NodeIdentity.Import(mismatched));
    }

    [Fact]
    public void Link_keys_agree_both_ways_and_differ_per_pair()
    {
        using var founder = Members.Founder(9);
        Gen.Select(Members.Seeds, Members.Seeds, Members.Seeds).Where((a, b, c) => a != b && b != c && a != c).Sample((a, b, c) =>
        {
            using var alice = Members.Enrolled(founder, a, mayInvite: false);
            using var bob = Members.Enrolled(founder, b, mayInvite: false);
            using var carol = Members.Enrolled(founder, c, mayInvite: false);

            var ab = alice.DeriveLinkKey(bob.Certificate!);
            Assert.Equal(32, ab.Length);
            Assert.Equal(ab, bob.DeriveLinkKey(alice.Certificate!));
            var ac = alice.DeriveLinkKey(carol.Certificate!);
            Assert.Equal(ac, carol.DeriveLinkKey(alice.Certificate!));
            var bc = bob.DeriveLinkKey(carol.Certificate!);
            Assert.NotEqual(ab, ac);
            Assert.NotEqual(ab, bc);
            Assert.NotEqual(ac, bc);
        }, iter: 20);
    }

    [Fact]
    public void Link_keys_equal_the_reference_derivation_through_NSec()
    {
        // DeriveLinkKey calls libsodium's X25519 directly; the key must stay what NSec's Agree +
        // HKDF-SHA256 give, or a node would not talk to one built before the change.
        using var founder = Members.Founder(13);
        Gen.Select(Members.Seeds, Members.Seeds).Where((a, b) => a != b).Sample((a, b) =>
        {
            var seeds = new byte[64];
            new EPostEdge.Overlay.Seams.SeededRandomSource(a).NextBytes(seeds);
            using var alice = Members.Enrolled(founder, a, mayInvite: false);
            using var bob = Members.Enrolled(founder, b, mayInvite: false);
            using var agreement = Key.Import(KeyAgreementAlgorithm.X25519, seeds.AsSpan(32, 32), KeyBlobFormat.RawPrivateKey);
            var bobKey = PublicKey.Import(KeyAgreementAlgorithm.X25519, bob.AgreementKey.Span, KeyBlobFormat.RawPublicKey);
            using var shared = KeyAgreementAlgorithm.X25519.Agree(agreement, bobKey)!;
            var (low, high) = alice.Id < bob.Id ? (alice.Id, bob.Id) : (bob.Id, alice.Id);
            var info = new byte[17 + 40];
            "epostedge link v1"u8.CopyTo(info);
            low.WriteTo(info.AsSpan(17));
            high.WriteTo(info.AsSpan(37));
            var expected = KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(shared, ReadOnlySpan<byte>.Empty, info, 32);

            Assert.Equal(expected, alice.DeriveLinkKey(bob.Certificate!));
        }, iter: 20);
    }

    [Fact]
    public void A_low_order_agreement_key_makes_the_link_key_throw()
    {
        using var founder = Members.Founder(10);
        using var node = Members.Identity(11);
        using var peer = Members.Identity(12);

        // RFC 7748 §6.1: the point 0 (and 1) have low order; agreement with them is all zero.
        foreach (var lowOrder in new[] { new byte[32], [1, .. new byte[31]] })
        {
            var hostile = founder.Issue(peer.SigningKey, lowOrder, Members.V4(1), false);
            Assert.ThrowsAny<CryptographicException>(() => node.DeriveLinkKey(hostile));
        }
    }
}
