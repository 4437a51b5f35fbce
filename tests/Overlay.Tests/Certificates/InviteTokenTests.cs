using System.Buffers.Text;
using CsCheck;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Tests.Certificates;

public sealed class InviteTokenTests
{
    [Fact]
    public void The_text_form_round_trips()
    {
        Gen.Select(Gen.Byte.Array[32], Members.EndPoints, Gen.Byte.Array[InviteToken.SecretSize]).Sample((foundingKey, inviter, secret) =>
        {
            var token = new InviteToken(NodeId.Hash(foundingKey), foundingKey, inviter, secret);
            var text = token.ToString();

            Assert.StartsWith(InviteToken.Prefix, text, StringComparison.Ordinal);
            Assert.DoesNotContain('=', text);
            Assert.DoesNotContain('+', text);
            Assert.DoesNotContain('/', text);
            Assert.True(InviteToken.TryParse(text, out var parsed));
            Assert.Equal(token, parsed);
            Assert.Equal(inviter, parsed.Inviter);
            Assert.Equal(secret, parsed.Secret.ToArray());
            Assert.True(InviteToken.TryParse($"  {text}\n", out _));
        });
    }

    [Fact]
    public void Every_prefix_and_garbage_fail_to_parse()
    {
        var foundingKey = new byte[32];
        foundingKey[0] = 7;
        var text = new InviteToken(NodeId.Hash(foundingKey), foundingKey, Members.V6(3), new byte[16]).ToString();
        for (var length = 0; length < text.Length; length++)
        {
            Assert.False(InviteToken.TryParse(text[..length], out var token));
            Assert.Null(token);
        }

        Assert.False(InviteToken.TryParse(text + "AA", out _));
        Assert.False(InviteToken.TryParse(text.Replace("epost-invite:", "epost-invitx:", StringComparison.Ordinal), out _));
        Assert.False(InviteToken.TryParse(text[..^2] + "!!", out _));
        Gen.String.Sample(garbage => Assert.False(InviteToken.TryParse(InviteToken.Prefix + garbage, out _)));
        Gen.Byte.Array[0, 120].Sample(bytes => Assert.False(InviteToken.TryParse(InviteToken.Prefix + Base64Url.EncodeToString(bytes), out _)));
    }

    [Fact]
    public void A_token_whose_overlay_is_not_the_hash_of_its_founding_key_fails_to_parse()
    {
        var foundingKey = new byte[32];
        var text = new InviteToken(NodeId.Hash("another key"u8), foundingKey, Members.V4(1), new byte[16]).ToString();
        Assert.False(InviteToken.TryParse(text, out _));
    }
}
