using System.Text;
using EPostEdge.EdgeNode.Web;

namespace EPostEdge.EdgeNode.Tests.Web;

public sealed class BasicAuthenticationTests
{
    private static string Header(string credentials, string scheme = "Basic") => $"{scheme} {Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))}";

    [Theory]
    [InlineData("admin:s3cret:with:colons", true)]
    [InlineData("anyone:s3cret:with:colons", true)]
    [InlineData(":s3cret:with:colons", true)]
    [InlineData("admin:s3cret", false)]
    [InlineData("admin:s3cret:with:colons ", false)]
    [InlineData("admin:", false)]
    [InlineData("s3cret:with:colons", false)]
    [InlineData("nocolon", false)]
    public void The_password_after_the_first_colon_must_match_whatever_the_user(string credentials, bool accepted) =>
        Assert.Equal(accepted, new BasicAuthentication("s3cret:with:colons").Accepts(Header(credentials)));

    [Fact]
    public void The_scheme_is_case_insensitive_and_anything_else_is_refused()
    {
        var auth = new BasicAuthentication("pässword");
        Assert.True(auth.Accepts(Header("u:pässword", "basic")));
        Assert.False(auth.Accepts(Header("u:pässword", "Bearer")));
        Assert.False(auth.Accepts("Basic not-base64!"));
        Assert.False(auth.Accepts("Basic"));
        Assert.False(auth.Accepts(null));
        Assert.False(auth.Accepts(string.Empty));
    }
}
