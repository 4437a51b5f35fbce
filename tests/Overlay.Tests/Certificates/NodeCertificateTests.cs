using CsCheck;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class NodeCertificateTests
{
    [Fact]
    public void A_founding_signed_certificate_round_trips_and_verifies()
    {
        using var founder = Members.Founder(1);
        Gen.Select(Members.Seeds, Members.EndPoints, Gen.Bool).Sample((seed, endPoint, mayInvite) =>
        {
            using var node = Members.Identity(seed);
            var issued = founder.Issue(node.SigningKey, node.AgreementKey, endPoint, mayInvite);

            Assert.True(NodeCertificate.TryDecode(issued.Encoded.Span, out var decoded, out var consumed));
            Assert.Equal(issued.Encoded.Length, consumed);
            Assert.Equal(node.Id, decoded.Id);
            Assert.Equal(NodeId.Hash(node.SigningKey.Span), decoded.Id);
            Assert.Equal(node.SigningKey.ToArray(), decoded.SigningKey.ToArray());
            Assert.Equal(node.AgreementKey.ToArray(), decoded.AgreementKey.ToArray());
            Assert.Equal(endPoint, decoded.EndPoint);
            Assert.Equal(mayInvite, decoded.MayInvite);
            Assert.Equal(founder.Trust.Overlay, decoded.Overlay);
            Assert.Null(decoded.Issuer);
            Assert.Equal(new NodeHandle(node.Id, endPoint), decoded.Handle);
            Assert.Equal(issued, decoded);
            Assert.True(founder.Trust.Verify(decoded, out var reason), reason);
        }, iter: 60);
    }

    [Fact]
    public void A_member_issued_certificate_round_trips_with_its_issuer()
    {
        using var founder = Members.Founder(2);
        Gen.Select(Members.Seeds, Members.Seeds, Members.EndPoints).Where((a, b, _) => a != b).Sample((inviterSeed, seed, endPoint) =>
        {
            using var inviter = Members.Enrolled(founder, inviterSeed, mayInvite: true);
            using var node = Members.Identity(seed);
            var issued = Members.IssuedBy(inviter, node, endPoint);

            Assert.True(NodeCertificate.TryDecode(issued.Encoded.Span, out var decoded, out _));
            Assert.Equal(inviter.Certificate, decoded.Issuer);
            Assert.False(decoded.MayInvite);
            Assert.Equal(endPoint, decoded.EndPoint);
            Assert.True(founder.Trust.Verify(decoded, out var reason), reason);
        }, iter: 30);
    }

    [Fact]
    public void Trailing_bytes_are_left_unread()
    {
        using var founder = Members.Founder(3);
        using var node = Members.Enrolled(founder, 4, mayInvite: false);
        var encoded = node.Certificate!.Encoded.ToArray();
        byte[] withTail = [.. encoded, 0xAB, 0xCD];

        Assert.True(NodeCertificate.TryDecode(withTail, out var decoded, out var consumed));
        Assert.Equal(encoded.Length, consumed);
        Assert.Equal(node.Certificate, decoded);
    }

    [Fact]
    public void Every_proper_prefix_fails_to_decode()
    {
        using var founder = Members.Founder(5);
        using var inviter = Members.Enrolled(founder, 6, mayInvite: true, Members.V6(1));
        using var node = Members.Identity(7);
        foreach (var certificate in new[] { inviter.Certificate!, Members.IssuedBy(inviter, node, Members.V4(9)) })
        {
            var encoded = certificate.Encoded.Span;
            for (var length = 0; length < encoded.Length; length++)
            {
                Assert.False(NodeCertificate.TryDecode(encoded[..length], out var decoded, out var consumed), $"prefix of {length} bytes decoded");
                Assert.Null(decoded);
                Assert.Equal(0, consumed);
            }
        }
    }

    [Fact]
    public void Any_flipped_bit_fails_to_decode_or_to_verify()
    {
        using var founder = Members.Founder(8);
        using var inviter = Members.Enrolled(founder, 9, mayInvite: true, Members.V6(2));
        using var node = Members.Identity(10);
        var certificates = new[] { inviter.Certificate!, Members.IssuedBy(inviter, node, Members.V4(3)) };
        foreach (var certificate in certificates)
        {
            Assert.True(founder.Trust.Verify(certificate, out _));
            var encoded = certificate.Encoded.Span;
            for (var bit = 0; bit < encoded.Length * 8; bit++)
            {
                var flipped = Members.Flip(encoded, bit);
                if (NodeCertificate.TryDecode(flipped, out var decoded, out _))
                {
                    Assert.False(founder.Trust.Verify(decoded, out var reason), $"bit {bit} flipped still verifies");
                    Assert.NotNull(reason);
                }
            }
        }
    }

    [Fact]
    public void Garbage_never_throws()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            if (NodeCertificate.TryDecode(bytes, out var decoded, out var consumed))
            {
                Assert.InRange(consumed, 1, bytes.Length);
                Assert.Equal(bytes[..consumed], decoded.Encoded.ToArray());
            }
        }, iter: 2000);
    }

    [Fact]
    public void Garbage_after_a_valid_header_never_throws()
    {
        // Random bytes rarely get past the version byte; keep a real header and vary the rest.
        using var founder = Members.Founder(11);
        using var inviter = Members.Enrolled(founder, 12, mayInvite: true);
        using var node = Members.Identity(13);
        var encoded = Members.IssuedBy(inviter, node).Encoded.ToArray();
        Gen.Select(Gen.Int[1, encoded.Length - 1], Gen.Byte.Array[0, 300]).Sample((keep, tail) =>
        {
            byte[] bytes = [.. encoded[..keep], .. tail];
            if (NodeCertificate.TryDecode(bytes, out var decoded, out _) && founder.Trust.Verify(decoded, out _))
            {
                Assert.Equal(encoded, decoded.Encoded.ToArray());
            }
        }, iter: 2000);
    }

    [Fact]
    public void An_unknown_version_does_not_decode()
    {
        using var founder = Members.Founder(14);
        using var node = Members.Enrolled(founder, 15, mayInvite: false);
        var encoded = node.Certificate!.Encoded.ToArray();
        for (var version = 0; version < 256; version++)
        {
            encoded[0] = (byte)version;
            Assert.Equal(version == NodeCertificate.CurrentVersion, NodeCertificate.TryDecode(encoded, out _, out _));
        }
    }

    [Fact]
    public void Issuer_nesting_beyond_the_decoder_bound_does_not_decode()
    {
        using var founder = Members.Founder(16);
        var nodes = Enumerable.Range(0, NodeCertificate.MaxDecodedIssuerDepth + 2).Select(i => Members.Identity(100 + (ulong)i)).ToArray();
        try
        {
            var certificate = founder.Issue(nodes[0].SigningKey, nodes[0].AgreementKey, Members.V4(1), mayInvite: true);
            for (var depth = 1; depth <= NodeCertificate.MaxDecodedIssuerDepth; depth++)
            {
                certificate = NodeCertificate.Create(founder.Trust.Overlay, nodes[depth].SigningKey.Span, nodes[depth].AgreementKey.Span, Members.V4(1), true, certificate, nodes[depth - 1].SigningPrivateKey);
                Assert.Equal(depth, certificate.IssuerDepth);
            }

            Assert.Throws<InvalidOperationException>(() => NodeCertificate.Create(
                founder.Trust.Overlay, nodes[^1].SigningKey.Span, nodes[^1].AgreementKey.Span, Members.V4(1), true, certificate, nodes[^2].SigningPrivateKey));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }
}
