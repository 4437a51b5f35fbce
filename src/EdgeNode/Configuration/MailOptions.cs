namespace EPostEdge.EdgeNode.Configuration;

/// <summary>The "Mail" section: what the node serves and where it listens.</summary>
public sealed class MailOptions
{
    /// <summary>Mail domains this node receives for (e.g. "home.lan"). Recipients in them must be users.</summary>
    public List<string> Domains { get; set; } = [];

    /// <summary>Address the mail listeners bind to: 127.0.0.1 by default; "0.0.0.0" or "::" for the LAN.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>PEM certificate file (default: the self-signed one <c>init</c> made in DATA/tls).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file of <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }
}
