using CsCheck;
using EPostEdge.Overlay.Certificates;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class LinkMacTests
{
    [Fact]
    public void A_mac_verifies_and_any_change_makes_it_fail()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[1, 200], Gen.Int[0, int.MaxValue]).Sample((key, message, pick) =>
        {
            var mac = new byte[LinkMac.Size];
            LinkMac.Compute(key, message, mac);
            Assert.True(LinkMac.Verify(key, message, mac));

            Assert.False(LinkMac.Verify(key, Members.Flip(message, pick % (message.Length * 8)), mac));
            Assert.False(LinkMac.Verify(Members.Flip(key, pick % 256), message, mac));
            Assert.False(LinkMac.Verify(key, message, Members.Flip(mac, pick % (LinkMac.Size * 8))));
            Assert.False(LinkMac.Verify(key, message[..^1], mac));
            Assert.False(LinkMac.Verify(key, [.. message, 0], mac));
            Assert.False(LinkMac.Verify(key, message, mac.AsSpan(0, LinkMac.Size - 1)));
        });
    }

    [Fact]
    public void The_mac_is_truncated_hmac_sha256()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[0, 100]).Sample((key, message) =>
        {
            var mac = new byte[LinkMac.Size];
            LinkMac.Compute(key, message, mac);
            using var hmac = new System.Security.Cryptography.HMACSHA256(key);
            Assert.Equal(hmac.ComputeHash(message)[..LinkMac.Size], mac);
        });
    }
}
