using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Mail.Tls;

/// <summary>
/// The node's TLS certificate: a self-signed one made by <c>init</c> in DATA/tls (cert.pem +
/// key.pem), or a configured one (MailOptions.CertificatePath / CertificateKeyPath).
/// </summary>
public static class TlsCertificate
{
    /// <summary>How long a self-signed certificate is valid: an appliance should not break on a date.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3653);

    public static string DefaultCertificatePath(string dataDirectory) => Path.Combine(dataDirectory, "tls", "cert.pem");

    public static string DefaultKeyPath(string dataDirectory) => Path.Combine(dataDirectory, "tls", "key.pem");

    /// <summary>
    /// A self-signed ECDSA P-256 certificate for <paramref name="hostName"/>, with localhost,
    /// 127.0.0.1 and ::1 in its subject alternative names (RFC 6125: clients match the SAN).
    /// </summary>
    /// <remarks>
    /// The key pair comes from the OS generator inside System.Security.Cryptography: the
    /// IRandomSource seam cannot reach it. The serial number does come from <paramref name="random"/>.
    /// </remarks>
    public static (string CertificatePem, string KeyPem) CreateSelfSigned(string hostName, IRandomSource random, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + hostName.Replace(",", string.Empty, StringComparison.Ordinal)), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        if (!string.Equals(hostName, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            names.AddDnsName("localhost");
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // id-kp-serverAuth

        var serial = new byte[16];
        random.NextBytes(serial);
        serial[0] &= 0x7F; // RFC 5280 §4.1.2.2: a positive integer
        serial[0] |= 0x01; // and no leading zero byte to strip
        var now = time.GetUtcNow();
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now.AddDays(-1), now + Lifetime, serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// Writes a fresh self-signed certificate to DATA/tls (replacing one there). The key file is
    /// created empty with mode 0600 before the key goes in, so it is never readable by others.
    /// </summary>
    public static void WriteSelfSigned(IFileSystem fileSystem, string dataDirectory, string hostName, IRandomSource random, TimeProvider time)
    {
        var (certificatePem, keyPem) = CreateSelfSigned(hostName, random, time);
        var directory = Path.Combine(dataDirectory, "tls");
        fileSystem.CreateDirectory(directory);
        WriteAtomically(fileSystem, DefaultKeyPath(dataDirectory), Encoding.ASCII.GetBytes(keyPem), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteAtomically(fileSystem, DefaultCertificatePath(dataDirectory), Encoding.ASCII.GetBytes(certificatePem), null);
        fileSystem.SyncDirectory(directory);
    }

    /// <summary>Loads a PEM certificate and its key (Linux: used as is by SslStream).</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="CryptographicException">A file is not a PEM certificate or key, or they do not match.</exception>
    public static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        foreach (var path in new[] { certificatePath, keyPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"no TLS file at {path}", path);
            }
        }

        // The seam has no "read a whole file as text" and X509 reads paths itself: this is one of
        // the few direct reads of the disk, at startup only.
        return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
    }

    private static void WriteAtomically(IFileSystem fileSystem, string path, byte[] content, UnixFileMode? mode)
    {
        var temporary = path + ".tmp";
        fileSystem.Delete(temporary);
        using (var file = fileSystem.Open(temporary, FileOpenMode.CreateNew))
        {
            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                // IFileSystem has no permission operation: set the mode on the real file, before
                // the secret is written into it.
                File.SetUnixFileMode(temporary, unixMode);
            }

            file.Write(0, content);
            file.Sync();
        }

        fileSystem.Rename(temporary, path);
    }
}
