using EPostEdge.Overlay.Certificates;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class OverlayFounderTests
{
    [Fact]
    public void Export_and_import_keep_the_founding_key()
    {
        using var founder = Members.Founder(1);
        using var back = OverlayFounder.Import(founder.Export());
        using var node = Members.Identity(2);

        Assert.Equal(founder.Trust.Overlay, back.Trust.Overlay);
        Assert.Equal(founder.Trust.FoundingKey.ToArray(), back.Trust.FoundingKey.ToArray());
        Assert.True(founder.Trust.Verify(back.Issue(node.SigningKey, node.AgreementKey, Members.V4(1), true), out var reason), reason);
    }

    [Fact]
    public void Different_seeds_found_different_overlays()
    {
        using var a = Members.Founder(3);
        using var b = Members.Founder(4);
        using var again = Members.Founder(3);
        Assert.NotEqual(a.Trust.Overlay, b.Trust.Overlay);
        Assert.Equal(a.Trust.Overlay, again.Trust.Overlay);
    }

    [Fact]
    public void Import_refuses_malformed_exports()
    {
        using var founder = Members.Founder(5);
        var exported = founder.Export();
        for (var length = 0; length < exported.Length; length++)
        {
            Assert.Throws<FormatException>(() => OverlayFounder.Import(exported.AsSpan(0, length)));
        }

        Assert.Throws<FormatException>(() => OverlayFounder.Import([.. exported, 0]));
        exported[0] = 9;
        Assert.Throws<FormatException>(() => OverlayFounder.Import(exported));
    }

    [Fact]
    public void Issue_refuses_keys_of_the_wrong_size()
    {
        using var founder = Members.Founder(6);
        using var node = Members.Identity(7);
        Assert.Throws<ArgumentException>(() => founder.Issue(node.SigningKey[..31], node.AgreementKey, Members.V4(1), false));
        Assert.Throws<ArgumentException>(() => founder.Issue(node.SigningKey, new byte[33], Members.V4(1), false));
    }
}
