using System.Collections;
using System.CommandLine;
using System.Net;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.EdgeNode.Profiles;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge init</c>: the data folder, the node key, a self-signed TLS certificate and
/// DATA/epostedge.json with every setting. Run twice it changes nothing unless <c>--force</c>.
/// </summary>
internal static class InitCommand
{
    public static Command Build(CliContext context, Option<string> data)
    {
        var domains = new Option<string[]>("--domain")
        {
            Description = "A mail domain this node receives for (repeat for more), e.g. home.lan",
            AllowMultipleArgumentsPerToken = false,
        };
        var hostName = new Option<string?>("--hostname") { Description = "Host name in the certificate and SMTP greeting (default: this machine's name)" };
        var force = new Option<bool>("--force") { Description = "Rewrite the configuration (keeping other settings) and make a new certificate" };
        var profile = new Option<string?>("--profile")
        {
            Description = $"Record a hw-profile in the configuration ({string.Join(", ", HardwareProfile.BuiltInNames)}, a JSON file, or auto: the one detected for this board)",
        };
        var init = new Command("init", "Create the data folder: node key, TLS certificate, configuration file.");
        init.Options.Add(data);
        init.Options.Add(domains);
        init.Options.Add(hostName);
        init.Options.Add(force);
        init.Options.Add(profile);
        init.SetAction(parse => Run(context, parse.GetValue(data)!, parse.GetValue(domains) ?? [], parse.GetValue(hostName), parse.GetValue(force), parse.GetValue(profile)));
        return init;
    }

    /// <summary>The <c>--profile</c> value that takes the profile detected for this board.</summary>
    public const string AutoProfile = "auto";

    public static int Run(CliContext context, string dataDirectory, IReadOnlyList<string> domains, string? hostName, bool force, string? profile = null)
    {
        var configPath = NodeConfiguration.PathIn(dataDirectory);
        var suggestion = BoardDetection.Suggest(context.Machine);
        if (string.Equals(profile, AutoProfile, StringComparison.OrdinalIgnoreCase))
        {
            if (suggestion.Profile is null)
            {
                context.Error.WriteLine($"epost-edge: --profile auto: {suggestion.Reason}");
                return ExitCodes.BadConfiguration;
            }

            profile = suggestion.Profile;
        }

        if (context.FileSystem.FileExists(configPath) && !force)
        {
            context.Output.WriteLine($"{Path.GetFullPath(dataDirectory)} is already initialised ({configPath} exists); nothing changed. Use --force to rewrite the configuration and the certificate.");
            return ExitCodes.Ok;
        }

        foreach (var domain in domains)
        {
            if (!IsDomain(domain))
            {
                context.Error.WriteLine($"epost-edge: --domain '{domain}' is not a domain name (example: home.lan)");
                return ExitCodes.BadConfiguration;
            }
        }

        hostName = string.IsNullOrWhiteSpace(hostName) ? MachineName() : hostName.Trim();
        if (!IsDomain(hostName))
        {
            context.Error.WriteLine($"epost-edge: --hostname '{hostName}' is not a host name");
            return ExitCodes.BadConfiguration;
        }

        context.FileSystem.CreateDirectory(dataDirectory);
        if (force && NodeLock.IsHeld(dataDirectory))
        {
            context.Error.WriteLine($"epost-edge: a node is running on {Path.GetFullPath(dataDirectory)}: stop it before init --force");
            return ExitCodes.AlreadyRunning;
        }

        // --force keeps the settings already in the file (not the environment's) and replaces what
        // was given. With a profile the file is written with the profile's values spelled out.
        var configuration = new NodeConfiguration();
        if (!string.IsNullOrWhiteSpace(profile))
        {
            try
            {
                HardwareProfile.Load(profile, context.FileSystem);
            }
            catch (InvalidDataException ex)
            {
                context.Error.WriteLine($"epost-edge: --profile: {ex.Message}");
                return ExitCodes.BadConfiguration;
            }

            // A file's path is recorded in full, so that run finds it from any folder.
            profile = HardwareProfile.IsPath(profile) ? Path.GetFullPath(profile) : profile.Trim();
        }

        if (context.FileSystem.FileExists(configPath) || profile is not null)
        {
            try
            {
                configuration = NodeConfiguration.Load(context.FileSystem, dataDirectory, new Hashtable(), profile);
            }
            catch (InvalidDataException ex)
            {
                context.Error.WriteLine($"epost-edge: warning: the old configuration is unreadable and is replaced by defaults ({ex.Message})");
                configuration = new NodeConfiguration { Profile = profile };
            }
        }

        if (domains.Count > 0)
        {
            configuration.Mail.Domains.Clear();
            configuration.Mail.Domains.AddRange(domains.Select(d => d.Trim().ToLowerInvariant()).Distinct());
        }

        configuration.Smtp.HostName = hostName;

        if (context.Mail is { } mail)
        {
            mail.CreateNodeKey(context.FileSystem, dataDirectory);
        }

        TlsCertificate.WriteSelfSigned(context.FileSystem, dataDirectory, hostName, context.Random, context.Time);
        ConfigurationFile.Write(context.FileSystem, dataDirectory, configuration);

        var output = context.Output;
        output.WriteLine($"initialised {Path.GetFullPath(dataDirectory)}");
        output.WriteLine($"  configuration: {configPath}");
        output.WriteLine($"  certificate:   {TlsCertificate.DefaultCertificatePath(dataDirectory)} (self-signed for {hostName}, localhost, 127.0.0.1, ::1)");
        output.WriteLine(context.Mail is null ? "  node key:      not created (this build has no mail store)" : "  node key:      created");
        output.WriteLine(configuration.Profile is { } recorded
            ? $"  hw-profile:    {recorded} (budgets, sessions, ports and LEDs of that board; settings in the file win over it)"
            : "  hw-profile:    none");
        output.WriteLine(suggestion.Profile is { } suggested
            ? $"  board:         {suggestion.Reason}: profile {suggested} fits{(configuration.Profile == suggested ? string.Empty : $" (run --profile {suggested}, or init --force --profile {suggested} to record it)")}"
            : $"  board:         {suggestion.Reason}");
        if (configuration.Mail.Domains.Count == 0)
        {
            context.Error.WriteLine("epost-edge: warning: no mail domain yet: run epost-edge init --force --domain home.lan (or set Mail:Domains in the file) before run");
        }
        else
        {
            output.WriteLine($"  domains:       {string.Join(", ", configuration.Mail.Domains)}");
            output.WriteLine($"next: epost-edge user add NAME --address NAME@{configuration.Mail.Domains[0]} --data {dataDirectory}, then epost-edge run --data {dataDirectory}");
        }

        return ExitCodes.Ok;
    }

    private static string MachineName()
    {
        try
        {
            var name = Dns.GetHostName();
            return IsDomain(name) ? name : "localhost";
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }

    /// <summary>RFC 1035 §2.3.1 letters, digits, hyphens in dot-separated labels (underscores tolerated on LANs).</summary>
    private static bool IsDomain(string name)
    {
        name = name.Trim();
        if (name.Length is 0 or > 253 || name.StartsWith('.') || name.EndsWith('.'))
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label.StartsWith('-') || label.EndsWith('-') || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
