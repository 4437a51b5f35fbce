using System.Net;
using System.Security.Cryptography.X509Certificates;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Tls;

public sealed class TlsCertificateTests
{
    [Fact]
    public void Init_writes_a_self_signed_P256_certificate_that_loads_with_its_key()
    {
        using var temp = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        TlsCertificate.WriteSelfSigned(new PhysicalFileSystem(), temp.Path, "node.home.lan", new SeededRandomSource(3), time);

        using var certificate = TlsCertificate.Load(TlsCertificate.DefaultCertificatePath(temp.Path), TlsCertificate.DefaultKeyPath(temp.Path));
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=node.home.lan", certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        using var key = certificate.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.Equal(new DateTime(2036, 12, 1, 0, 0, 0, DateTimeKind.Utc), certificate.NotAfter.ToUniversalTime());
        Assert.True(certificate.NotBefore.ToUniversalTime() < time.GetUtcNow().UtcDateTime);

        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["node.home.lan", "localhost"], names.EnumerateDnsNames().ToArray());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses().ToArray());
        Assert.Equal("node.home.lan", certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false));
    }

    [Fact]
    public void The_key_file_is_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        TlsCertificate.WriteSelfSigned(new PhysicalFileSystem(), temp.Path, "localhost", new SeededRandomSource(4), TimeProvider.System);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TlsCertificate.DefaultKeyPath(temp.Path)));
        Assert.Empty(Directory.GetFiles(Path.Combine(temp.Path, "tls"), "*.tmp"));
    }

    [Fact]
    public void Loading_a_missing_file_says_which()
    {
        using var temp = new TempDirectory();
        var missing = Path.Combine(temp.Path, "cert.pem");
        var error = Assert.Throws<FileNotFoundException>(() => TlsCertificate.Load(missing, missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
