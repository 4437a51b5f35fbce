using System.Collections;
using System.Net;
using System.Text.Json;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.EdgeNode.Profiles;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Configuration;

namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// Every setting of the node, from one file (DATA/epostedge.json), overridden by environment
/// variables (prefix <c>EPOSTEDGE_</c>, "__" between section and key: standard .NET
/// configuration), overridden in turn by command-line options. Bound by the configuration
/// binding source generator, so no reflection (AOT).
/// </summary>
public sealed class NodeConfiguration
{
    /// <summary>The config file's name inside the data folder.</summary>
    public const string FileName = "epostedge.json";

    /// <summary>Environment variables with this prefix override the file.</summary>
    public const string EnvironmentPrefix = "EPOSTEDGE_";

    public MailOptions Mail { get; } = new();

    public SmtpOptions Smtp { get; } = new();

    public ImapOptions Imap { get; } = new();

    public StoreOptions Store { get; } = new();

    public OverlayOptions Overlay { get; } = new();

    public HealthOptions Health { get; } = new();

    public LedOptions Leds { get; } = new();

    public WebOptions Web { get; } = new();

    public NatOptions Nat { get; } = new();

    public BudgetOptions Budget { get; } = new();

    /// <summary>
    /// The hw-profile in force, as named (a built-in name such as "pi-zero-2w", or a path): from
    /// <c>--profile</c>, <c>EPOSTEDGE_Profile</c> or the file's top-level "Profile"; null when none.
    /// </summary>
    public string? Profile { get; set; }

    /// <summary>The profile's short name ("pi-zero-2w"; a file's name without ".json"); null when none.</summary>
    public string? ProfileName { get; private set; }

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>
    /// Reads the layers: the hw-profile (when one is named), DATA/epostedge.json (when present)
    /// and the <c>EPOSTEDGE_*</c> entries of <paramref name="environment"/>. The older
    /// <c>EPOSTEDGE_QUOTA</c> stands for Store:Quota when <c>EPOSTEDGE_Store__Quota</c> is not set.
    /// </summary>
    /// <param name="fileSystem">The disk seam.</param>
    /// <param name="dataDirectory">The data folder.</param>
    /// <param name="environment">The process environment (tests pass a dictionary).</param>
    /// <param name="profileOverride">The profile named on the command line (<c>--profile</c>); it wins over EPOSTEDGE_Profile and the file's "Profile".</param>
    /// <exception cref="InvalidDataException">The file or the profile is not valid JSON, the profile does not exist, or a value cannot be converted (the message says which).</exception>
    public static NodeConfiguration Load(IFileSystem fileSystem, string dataDirectory, IDictionary environment, string? profileOverride = null)
    {
        var path = PathIn(dataDirectory);
        var file = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (fileSystem.FileExists(path))
        {
            try
            {
                file = ConfigurationLayers.Flatten(ReadAll(fileSystem, path));
            }
            catch (Exception ex) when (ex is FormatException or JsonException || ex.InnerException is JsonException)
            {
                throw new InvalidDataException($"{path} is not valid JSON: {(ex.InnerException ?? ex).Message}", ex);
            }
        }

        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && entry.Value is string value)
            {
                // What the EnvironmentVariables provider does, over a dictionary the tests can pass.
                overrides[name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
            }
        }

        if (overrides.TryGetValue("QUOTA", out var legacyQuota) && !overrides.ContainsKey("Store:Quota"))
        {
            overrides["Store:Quota"] = legacyQuota;
        }

        // The profile in force: --profile, else EPOSTEDGE_Profile, else the file's own "Profile".
        file.TryGetValue(nameof(Profile), out var fileProfile);
        var profileName = NonEmpty(profileOverride) ?? NonEmpty(overrides.GetValueOrDefault(nameof(Profile))) ?? NonEmpty(fileProfile);
        var profile = profileName is null ? null : HardwareProfile.Load(profileName, fileSystem);
        var fileBaseline = NonEmpty(fileProfile) is { } own
            ? (string.Equals(own, profileName, StringComparison.Ordinal) ? profile! : HardwareProfile.Load(own, fileSystem))
            : null;

        // defaults < profile < file < environment. The file init wrote spells every setting out:
        // only what differs from what it was written against (the defaults under its own profile)
        // counts as set there, so its untouched defaults do not hide the profile's values.
        var builder = new ConfigurationBuilder();
        if (profile is not null)
        {
            builder.AddInMemoryCollection(ConfigurationLayers.Flatten(profile.Json)!);
        }

        builder.AddInMemoryCollection(ConfigurationLayers.Changed(file, ConfigurationLayers.Baseline(ConfigurationFile.Render(new NodeConfiguration()), fileBaseline?.Json))!);
        builder.AddInMemoryCollection(overrides);
        var root = builder.Build();

        var configuration = new NodeConfiguration { Profile = profileName, ProfileName = profile?.Name };
        try
        {
            root.GetSection("Mail").Bind(configuration.Mail);
            root.GetSection("Smtp").Bind(configuration.Smtp);
            root.GetSection("Imap").Bind(configuration.Imap);
            root.GetSection("Store").Bind(configuration.Store);
            root.GetSection("Overlay").Bind(configuration.Overlay);
            root.GetSection("Health").Bind(configuration.Health);
            root.GetSection("Leds").Bind(configuration.Leds);
            root.GetSection("Web").Bind(configuration.Web);
            root.GetSection("Nat").Bind(configuration.Nat);
            root.GetSection("Budget").Bind(configuration.Budget);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the value it could not convert.
            throw new InvalidDataException($"bad setting: {ex.Message}", ex);
        }

        return configuration;
    }

    /// <summary>The quota in bytes (long.MaxValue when unlimited); false when Store:Quota is not a size.</summary>
    public bool TryGetQuotaBytes(out long bytes)
    {
        bytes = long.MaxValue;
        return string.IsNullOrWhiteSpace(Store.Quota) || ByteSize.TryParse(Store.Quota, out bytes);
    }

    /// <summary>The contributed quota in bytes (Overlay:ContributedQuota); false when it is not a size.</summary>
    public bool TryGetContributedBytes(out long bytes) => ByteSize.TryParse(Overlay.ContributedQuota, out bytes);

    /// <summary>The listen address, or null when MailOptions.ListenAddress is not an IP address.</summary>
    public IPAddress? ListenAddress => IPAddress.TryParse(Mail.ListenAddress, out var address) ? address : null;

    /// <summary>The certificate files in force: configured ones, else the self-signed pair in DATA/tls.</summary>
    public (string Certificate, string Key) CertificateFiles(string dataDirectory) =>
        string.IsNullOrWhiteSpace(Mail.CertificatePath)
            ? (TlsCertificate.DefaultCertificatePath(dataDirectory), TlsCertificate.DefaultKeyPath(dataDirectory))
            : (Mail.CertificatePath, string.IsNullOrWhiteSpace(Mail.CertificateKeyPath) ? Mail.CertificatePath : Mail.CertificateKeyPath);

    /// <summary>The overlay's bind address, or null when OverlayOptions.Address is not an IP address.</summary>
    public IPAddress? OverlayAddress => IPAddress.TryParse(Overlay.Address, out var address) ? address : null;

    /// <summary>
    /// Where peers reach this node's overlay port: Overlay:EndPoint, else 127.0.0.1:Overlay:Port
    /// (the embedded default, for nodes on one machine); null with <paramref name="error"/> when
    /// Overlay:EndPoint is not an IP address and port.
    /// </summary>
    public IPEndPoint? OverlayEndPoint(out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(Overlay.EndPoint))
        {
            return new IPEndPoint(IPAddress.Loopback, Overlay.Port);
        }

        if (EdgeNode.Overlay.HostPort.TryParseAddress(Overlay.EndPoint, out var endPoint, out var why))
        {
            return endPoint;
        }

        error = $"Overlay:EndPoint = '{Overlay.EndPoint}': {why}";
        return null;
    }

    /// <summary>Every port setting with its name (0 = disabled).</summary>
    public IReadOnlyList<(string Setting, int Port)> Ports =>
    [
        ("Smtp:Port", Smtp.Port),
        ("Smtp:SubmissionPort", Smtp.SubmissionPort),
        ("Smtp:ImplicitTlsPort", Smtp.ImplicitTlsPort),
        ("Imap:Port", Imap.Port),
        ("Imap:ImplicitTlsPort", Imap.ImplicitTlsPort),
        ("Web:Port", Web.Port),
    ];

    /// <summary>Checks what would make the node fail or be unsafe, with messages a user can act on.</summary>
    public ConfigurationReport Validate(IFileSystem fileSystem, string dataDirectory)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var seen = new Dictionary<int, string>();
        foreach (var (setting, port) in Ports)
        {
            if (port is < 0 or > 65535)
            {
                errors.Add($"{setting} = {port} is not a port (1-65535, or 0 to turn it off)");
            }
            else if (port != 0 && !seen.TryAdd(port, setting))
            {
                errors.Add($"{setting} and {seen[port]} are both {port}: each service needs its own port");
            }
        }

        if (Smtp.MaxMessageBytes <= 0)
        {
            errors.Add($"Smtp:MaxMessageBytes = {Smtp.MaxMessageBytes}: it must be above 0");
        }

        if (Imap.MaxMessageBytes <= 0)
        {
            errors.Add($"Imap:MaxMessageBytes = {Imap.MaxMessageBytes}: it must be above 0");
        }

        if (Smtp.MaxSessions <= 0 || Imap.MaxSessions <= 0)
        {
            errors.Add("Smtp:MaxSessions and Imap:MaxSessions must be above 0");
        }

        if (Smtp.MaxRecipients < 100)
        {
            // RFC 5321 §4.5.3.1.8: a server must accept at least 100 recipients.
            warnings.Add($"Smtp:MaxRecipients = {Smtp.MaxRecipients} is below the 100 RFC 5321 asks servers to accept");
        }

        if (Mail.Domains.Count == 0 || Mail.Domains.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("no mail domain is configured (Mail:Domains): run epost-edge init --domain home.lan");
        }

        if (!TryGetQuotaBytes(out _))
        {
            errors.Add($"Store:Quota = '{Store.Quota}' is not a size (examples: 512M, 20G, 1T)");
        }

        var address = ListenAddress;
        if (address is null)
        {
            errors.Add($"Mail:ListenAddress = '{Mail.ListenAddress}' is not an IP address (127.0.0.1, 0.0.0.0, ::)");
        }
        else if (Imap.AllowPlaintextAuth && !IPAddress.IsLoopback(address))
        {
            warnings.Add($"weak configuration: Imap:AllowPlaintextAuth lets passwords cross the network unencrypted on {Mail.ListenAddress}");
        }

        ValidateOverlay(errors, seen);
        Web.Validate(errors);
        Budget.Validate(errors, warnings);

        var (certificate, key) = CertificateFiles(dataDirectory);
        foreach (var file in new[] { certificate, key }.Distinct())
        {
            if (!fileSystem.FileExists(file))
            {
                errors.Add(string.IsNullOrWhiteSpace(Mail.CertificatePath)
                    ? $"no TLS certificate at {file}: run epost-edge init first"
                    : $"no TLS certificate file at {file} (Mail:CertificatePath / Mail:CertificateKeyPath)");
            }
        }

        return new ConfigurationReport(errors, warnings);
    }

    private void ValidateOverlay(List<string> errors, Dictionary<int, string> mailPorts)
    {
        if (Overlay.Port is < 1 or > 65535)
        {
            errors.Add($"Overlay:Port = {Overlay.Port} is not a port (1-65535)");
        }
        else if (mailPorts.TryGetValue(Overlay.Port, out var taken))
        {
            errors.Add($"Overlay:Port and {taken} are both {Overlay.Port}: each service needs its own port");
        }

        if (OverlayAddress is null)
        {
            errors.Add($"Overlay:Address = '{Overlay.Address}' is not an IP address (0.0.0.0, ::, or one of this machine's)");
        }

        if (OverlayEndPoint(out var endPointError) is null)
        {
            errors.Add(endPointError!);
        }

        // Pastry §2.1: L is 16 or 32 in the paper; the leaf set holds L/2 on each side.
        if (Overlay.LeafSetSize is < 8 or > 32 || Overlay.LeafSetSize % 2 != 0)
        {
            errors.Add($"Overlay:LeafSetSize = {Overlay.LeafSetSize}: it must be even, from 8 to 32 (Pastry uses 16 or 32)");
        }

        if (!ContributedQuota.IsValid(Overlay.ContributedQuota))
        {
            errors.Add($"Overlay:ContributedQuota = '{Overlay.ContributedQuota}' is not a size (examples: 512M, 20G, 1T, or 25% of the free disk)");
        }

        if (Overlay.MaintenanceSeconds is < 1 or > 3600)
        {
            errors.Add($"Overlay:MaintenanceSeconds = {Overlay.MaintenanceSeconds}: it must be from 1 to 3600");
        }

        if (Overlay.KeepAliveSeconds is < 1 or > 300)
        {
            errors.Add($"Overlay:KeepAliveSeconds = {Overlay.KeepAliveSeconds}: it must be from 1 to 300");
        }

        foreach (var bootstrap in Overlay.Bootstraps)
        {
            if (!EdgeNode.Overlay.HostPort.TrySplit(bootstrap, out _, out _, out var why))
            {
                errors.Add($"Overlay:Bootstraps: {why}");
            }
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static byte[] ReadAll(IFileSystem fileSystem, string path)
    {
        using var file = fileSystem.Open(path, FileOpenMode.ReadOnly);
        var bytes = new byte[file.Length];
        file.Read(0, bytes);
        return bytes;
    }
}
