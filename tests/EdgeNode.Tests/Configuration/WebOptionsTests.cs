using System.Collections;
using System.Net;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.Overlay.Seams;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Configuration;

/// <summary>The "Web" section: defaults, binding from the file and the environment, validation.</summary>
public sealed class WebOptionsTests
{
    private static readonly PhysicalFileSystem Disk = new();

    [Fact]
    public void Defaults_are_port_8031_on_all_IPv4_interfaces_LAN_only_without_password()
    {
        var web = new NodeConfiguration().Web;
        Assert.Equal(8031, web.Port);
        Assert.Equal(IPAddress.Any, web.BindAddress());
        Assert.True(web.LanOnly);
        Assert.Null(web.Password);
    }

    [Fact]
    public void The_section_binds_from_the_file_and_the_environment()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(NodeConfiguration.PathIn(temp.Path), """{ "Web": { "Port": 9000, "Password": "from file" } }""");
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable
        {
            ["EPOSTEDGE_Web__Address"] = "::",
            ["EPOSTEDGE_Web__LanOnly"] = "false",
        });

        Assert.Equal(9000, configuration.Web.Port);
        Assert.Equal(IPAddress.IPv6Any, configuration.Web.BindAddress());
        Assert.False(configuration.Web.LanOnly);
        Assert.Equal("from file", configuration.Web.Password);
    }

    [Theory]
    [InlineData("EPOSTEDGE_Web__Port", "70000", "Web:Port = 70000 is not a port")]
    [InlineData("EPOSTEDGE_Web__Port", "2525", "Web:Port and Smtp:Port are both 2525")]
    [InlineData("EPOSTEDGE_Overlay__Port", "8031", "Overlay:Port and Web:Port are both 8031")]
    [InlineData("EPOSTEDGE_Web__Address", "lan", "Web:Address = 'lan' is not an IP address")]
    public void A_bad_web_setting_is_an_error_that_names_it(string variable, string value, string expected)
    {
        using var temp = new TempDirectory();
        var configuration = new NodeConfiguration();
        configuration.Mail.Domains.Add("home.lan");
        ConfigurationFile.Write(Disk, temp.Path, configuration);
        TlsCertificate.WriteSelfSigned(Disk, temp.Path, "localhost", new SeededRandomSource(5), TimeProvider.System);

        var report = NodeConfiguration.Load(Disk, temp.Path, new Hashtable { [variable] = value }).Validate(Disk, temp.Path);
        Assert.Contains(report.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void An_address_that_does_not_parse_is_no_error_while_the_page_is_off()
    {
        var web = new WebOptions { Port = 0, Address = "lan" };
        var errors = new List<string>();
        web.Validate(errors);
        Assert.Empty(errors);
    }
}
