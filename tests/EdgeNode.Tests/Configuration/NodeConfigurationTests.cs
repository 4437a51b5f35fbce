using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Configuration;

/// <summary>DATA/epostedge.json &lt; EPOSTEDGE_* environment &lt; options; validation messages.</summary>
public sealed class NodeConfigurationTests
{
    private static readonly PhysicalFileSystem Disk = new();

    [Fact]
    public void The_environment_overrides_the_file_key_by_key()
    {
        using var temp = new TempDirectory();
        WriteFile(temp.Path, """{ "Smtp": { "Port": 2500, "MaxMessageBytes": 1000 }, "Imap": { "Port": 1100 }, "Mail": { "Domains": [ "home.lan" ] } }""");
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable
        {
            ["EPOSTEDGE_Smtp__Port"] = "2600",
            ["epostedge_imap__allowplaintextauth"] = "true", // keys are case-insensitive, as in .NET configuration
            ["OTHER_Smtp__Port"] = "1",
        });

        Assert.Equal(2600, configuration.Smtp.Port);
        Assert.Equal(1000, configuration.Smtp.MaxMessageBytes);
        Assert.Equal(1100, configuration.Imap.Port);
        Assert.True(configuration.Imap.AllowPlaintextAuth);
        Assert.Equal(["home.lan"], configuration.Mail.Domains);
        Assert.Equal(2587, configuration.Smtp.SubmissionPort); // untouched default
    }

    [Fact]
    public void Without_a_file_the_defaults_hold()
    {
        using var temp = new TempDirectory();
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable());
        Assert.Equal(Render(new NodeConfiguration()), Render(configuration));
    }

    [Fact]
    public void Quota_comes_from_the_file_then_EPOSTEDGE_QUOTA_then_EPOSTEDGE_Store__Quota()
    {
        using var temp = new TempDirectory();
        WriteFile(temp.Path, """{ "Store": { "Quota": "1G" } }""");
        Assert.Equal("1G", NodeConfiguration.Load(Disk, temp.Path, new Hashtable()).Store.Quota);
        Assert.Equal("2G", NodeConfiguration.Load(Disk, temp.Path, new Hashtable { ["EPOSTEDGE_QUOTA"] = "2G" }).Store.Quota);
        var both = NodeConfiguration.Load(Disk, temp.Path, new Hashtable { ["EPOSTEDGE_QUOTA"] = "2G", ["EPOSTEDGE_Store__Quota"] = "3G" });
        Assert.Equal("3G", both.Store.Quota);
        Assert.True(both.TryGetQuotaBytes(out var bytes));
        Assert.Equal(3L << 30, bytes);
    }

    [Fact]
    public void The_written_file_holds_every_setting_and_reads_back_the_same()
    {
        var configuration = new NodeConfiguration();
        configuration.Mail.Domains.Add("home.lan");
        configuration.Mail.CertificatePath = "/etc/ssl/mail.pem";
        configuration.Smtp.HostName = "node.home.lan";
        configuration.Smtp.Port = 25;
        configuration.Imap.AllowPlaintextAuth = true;
        configuration.Store.Quota = "20G";
        configuration.Overlay.EndPoint = "192.168.1.20:4031";
        configuration.Overlay.Bootstraps.Add("pi.home.lan:4031");

        using var document = JsonDocument.Parse(ConfigurationFile.Render(configuration));
        foreach (var (section, type) in new[] { ("Mail", typeof(MailOptions)), ("Smtp", typeof(SmtpOptions)), ("Imap", typeof(ImapOptions)), ("Store", typeof(StoreOptions)), ("Overlay", typeof(OverlayOptions)), ("Budget", typeof(BudgetOptions)) })
        {
            var written = document.RootElement.GetProperty(section).EnumerateObject().Select(p => p.Name).ToHashSet();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)) // settings, not figures derived from them
            {
                Assert.True(written.Contains(property.Name), $"{section}:{property.Name} is missing from the config file");
            }
        }

        using var temp = new TempDirectory();
        ConfigurationFile.Write(Disk, temp.Path, configuration);
        var read = NodeConfiguration.Load(Disk, temp.Path, new Hashtable());
        Assert.Equal(Render(configuration), Render(read));
        Assert.Equal(25, read.Smtp.Port);
        Assert.Equal(["home.lan"], read.Mail.Domains);
        Assert.Equal(["pi.home.lan:4031"], read.Overlay.Bootstraps);
        Assert.Equal("192.168.1.20:4031", read.Overlay.EndPoint);
    }

    [Fact]
    public void Bad_JSON_and_bad_values_are_InvalidDataException_naming_the_problem()
    {
        using var temp = new TempDirectory();
        WriteFile(temp.Path, """{ "Smtp": { "Port": 25, """);
        Assert.Contains("epostedge.json is not valid JSON", Assert.Throws<InvalidDataException>(() => NodeConfiguration.Load(Disk, temp.Path, new Hashtable())).Message, StringComparison.Ordinal);

        WriteFile(temp.Path, """{ "Smtp": { "Port": "twenty-five" } }""");
        Assert.Contains("Smtp:Port", Assert.Throws<InvalidDataException>(() => NodeConfiguration.Load(Disk, temp.Path, new Hashtable())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_initialised_configuration_has_no_errors_or_warnings()
    {
        using var temp = new TempDirectory();
        var report = Initialised(temp.Path).Validate(Disk, temp.Path);
        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
    }

    [Theory]
    [InlineData("Smtp:Port", "70000", "Smtp:Port = 70000 is not a port")]
    [InlineData("Imap:ImplicitTlsPort", "-1", "Imap:ImplicitTlsPort = -1 is not a port")]
    [InlineData("Imap:Port", "2525", "Imap:Port and Smtp:Port are both 2525")]
    [InlineData("Smtp:MaxMessageBytes", "0", "Smtp:MaxMessageBytes = 0: it must be above 0")]
    [InlineData("Imap:MaxMessageBytes", "-5", "Imap:MaxMessageBytes = -5: it must be above 0")]
    [InlineData("Store:Quota", "lots", "Store:Quota = 'lots' is not a size")]
    [InlineData("Mail:ListenAddress", "everywhere", "Mail:ListenAddress = 'everywhere' is not an IP address")]
    [InlineData("Mail:CertificatePath", "/nonexistent/cert.pem", "no TLS certificate file at /nonexistent/cert.pem")]
    [InlineData("Overlay:Port", "0", "Overlay:Port = 0 is not a port")]
    [InlineData("Overlay:Port", "2525", "Overlay:Port and Smtp:Port are both 2525")]
    [InlineData("Overlay:Address", "anywhere", "Overlay:Address = 'anywhere' is not an IP address")]
    [InlineData("Overlay:EndPoint", "pi.home.lan:4031", "Overlay:EndPoint = 'pi.home.lan:4031': 'pi.home.lan:4031' must be an IP address and port here")]
    [InlineData("Overlay:EndPoint", "0.0.0.0:4031", "Overlay:EndPoint = '0.0.0.0:4031': '0.0.0.0:4031' is the any-address")]
    [InlineData("Overlay:LeafSetSize", "15", "Overlay:LeafSetSize = 15: it must be even, from 8 to 32")]
    [InlineData("Overlay:KeepAliveSeconds", "0", "Overlay:KeepAliveSeconds = 0: it must be from 1 to 300")]
    [InlineData("Overlay:Bootstraps:0", "pi.home.lan", "Overlay:Bootstraps: 'pi.home.lan' is not HOST:PORT")]
    [InlineData("Overlay:ContributedQuota", "plenty", "Overlay:ContributedQuota = 'plenty' is not a size")]
    [InlineData("Overlay:MaintenanceSeconds", "0", "Overlay:MaintenanceSeconds = 0: it must be from 1 to 3600")]
    public void Each_bad_setting_is_an_error_that_names_it(string key, string value, string expected)
    {
        using var temp = new TempDirectory();
        Initialised(temp.Path);
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable { ["EPOSTEDGE_" + key.Replace(":", "__", StringComparison.Ordinal)] = value });
        var report = configuration.Validate(Disk, temp.Path);
        Assert.Contains(report.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void No_domain_and_no_certificate_tell_to_run_init()
    {
        using var temp = new TempDirectory();
        var report = new NodeConfiguration().Validate(Disk, temp.Path);
        Assert.Contains("no mail domain is configured (Mail:Domains): run epost-edge init --domain home.lan", report.Errors);
        Assert.Contains(report.Errors, e => e.StartsWith("no TLS certificate at ", StringComparison.Ordinal) && e.EndsWith("run epost-edge init first", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    public void Plaintext_auth_off_loopback_is_a_weak_configuration_warning(string address, bool warned)
    {
        using var temp = new TempDirectory();
        Initialised(temp.Path);
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable { ["EPOSTEDGE_Mail__ListenAddress"] = address, ["EPOSTEDGE_Imap__AllowPlaintextAuth"] = "true" });
        var report = configuration.Validate(Disk, temp.Path);
        Assert.Empty(report.Errors);
        Assert.Equal(warned, report.Warnings.Any(w => w.StartsWith("weak configuration: Imap:AllowPlaintextAuth", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_overlay_endpoint_defaults_to_loopback_on_the_overlay_port_and_is_taken_from_the_setting()
    {
        var configuration = new NodeConfiguration();
        configuration.Overlay.Port = 4100;
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 4100), configuration.OverlayEndPoint(out var error));
        Assert.Null(error);

        configuration.Overlay.EndPoint = "[fd00::20]:4200";
        Assert.Equal(System.Net.IPEndPoint.Parse("[fd00::20]:4200"), configuration.OverlayEndPoint(out error));
        Assert.Null(error);
    }

    private static NodeConfiguration Initialised(string dataDirectory)
    {
        var configuration = new NodeConfiguration();
        configuration.Mail.Domains.Add("home.lan");
        ConfigurationFile.Write(Disk, dataDirectory, configuration);
        TlsCertificate.WriteSelfSigned(Disk, dataDirectory, "localhost", new SeededRandomSource(5), TimeProvider.System);
        return configuration;
    }

    private static void WriteFile(string dataDirectory, string json) =>
        File.WriteAllText(NodeConfiguration.PathIn(dataDirectory), json, Encoding.UTF8);

    private static string Render(NodeConfiguration configuration) => Encoding.UTF8.GetString(ConfigurationFile.Render(configuration));
}
