using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using EPostEdge.EdgeNode.Nat.Network;

namespace EPostEdge.EdgeNode.Tests.Nat.Igd;

/// <summary>
/// A real home-router stand-in: Debian's miniupnpd (NAT-PMP, PCP and UPnP-IGD at once, nftables
/// backend) in network namespaces this fixture makes and removes, as root:
/// <code>
///   LAN ns  eth0 10.77.0.2/24 ── lan0 10.77.0.1/24  GATEWAY ns  wan0 10.99.0.1/24 ── eth0 10.99.0.2/24  WAN ns
///   (the node: default route via 10.77.0.1)          (miniupnpd, nft table inet filter)       (a peer "on the Internet")
/// </code>
/// None of the namespaces is linked to the machine's own network: nothing here can leave them.
/// miniupnpd refuses to map when its WAN address is private ("Port forwarding is impossible"),
/// so it is told <c>ext_ip=</c><see cref="ExternalAddress"/>: a label it reports in answers.
/// No packet is ever addressed to it (the WAN peer sends to 10.99.0.1, which the DNAT rules
/// match by interface and port), and no namespace has a route toward it.
/// </summary>
public sealed class MiniupnpdGateway : IDisposable
{
    public static readonly IPAddress LanGateway = IPAddress.Parse("10.77.0.1");
    public static readonly IPAddress LanNode = IPAddress.Parse("10.77.0.2");
    public static readonly IPAddress WanGateway = IPAddress.Parse("10.99.0.1");
    public static readonly IPAddress WanPeer = IPAddress.Parse("10.99.0.2");
    public static readonly IPAddress ExternalAddress = IPAddress.Parse("192.0.1.7");

    private const string Prefix = "epnat";
    private readonly string _directory;
    private readonly Process? _daemon;
    private readonly Process? _lanSleeper;
    private readonly StringBuilder _log = new();

    public MiniupnpdGateway()
    {
        if (!File.Exists("/usr/sbin/miniupnpd") || !File.Exists("/usr/sbin/nft"))
        {
            throw new InvalidOperationException("miniupnpd and nftables are not installed: scripts/test.sh installs them (apt-get install -y miniupnpd miniupnpd-nftables nftables)");
        }

        RemoveStale();
        var id = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        GatewayNamespace = $"{Prefix}{id}g";
        LanNamespace = $"{Prefix}{id}l";
        WanNamespace = $"{Prefix}{id}w";
        _directory = Directory.CreateTempSubdirectory("epostedge-miniupnpd-").FullName;
        try
        {
            foreach (var ns in new[] { GatewayNamespace, LanNamespace, WanNamespace })
            {
                Ip("netns", "add", ns);
                Ip("-n", ns, "link", "set", "lo", "up");
            }

            Ip("link", "add", "lan0", "netns", GatewayNamespace, "type", "veth", "peer", "name", "eth0", "netns", LanNamespace);
            Ip("link", "add", "wan0", "netns", GatewayNamespace, "type", "veth", "peer", "name", "eth0", "netns", WanNamespace);
            Address(GatewayNamespace, "lan0", "10.77.0.1/24");
            Address(LanNamespace, "eth0", "10.77.0.2/24");
            Address(GatewayNamespace, "wan0", "10.99.0.1/24");
            Address(WanNamespace, "eth0", "10.99.0.2/24");
            Ip("-n", LanNamespace, "route", "add", "default", "via", "10.77.0.1");
            Run("ip", "netns", "exec", GatewayNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");

            // The chains miniupnpd fills (its defaults: table inet filter; miniupnpd,
            // prerouting_miniupnpd, postrouting_miniupnpd), as Debian's nft_init.sh makes them, plus
            // what a router does for the replies of forwarded connections.
            var rules = Path.Combine(_directory, "rules.nft");
            File.WriteAllText(rules, """
                table inet filter {
                    chain forward {
                        type filter hook forward priority 0; policy drop;
                        ct state established,related accept
                        iifname "lan0" accept
                        jump miniupnpd
                    }
                    chain miniupnpd {
                    }
                    chain prerouting {
                        type nat hook prerouting priority -100; policy accept;
                        jump prerouting_miniupnpd
                    }
                    chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        jump postrouting_miniupnpd
                    }
                    chain prerouting_miniupnpd {
                    }
                    chain postrouting_miniupnpd {
                    }
                }
                """);
            Run("ip", "netns", "exec", GatewayNamespace, "nft", "-f", rules);

            LeaseFile = Path.Combine(_directory, "upnp.leases");
            var configuration = Path.Combine(_directory, "miniupnpd.conf");
            File.WriteAllText(configuration, $"""
                ext_ifname=wan0
                ext_ip={ExternalAddress}
                listening_ip=lan0
                http_port={HttpPort}
                enable_natpmp=yes
                enable_upnp=yes
                secure_mode=yes
                system_uptime=no
                min_lifetime=120
                max_lifetime=86400
                lease_file={LeaseFile}
                uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
                allow 1024-65535 10.77.0.0/24 1024-65535
                deny 0-65535 0.0.0.0/0 0-65535

                """);
            _daemon = Start("ip", "netns", "exec", GatewayNamespace, "/usr/sbin/miniupnpd", "-f", configuration, "-d");
            _lanSleeper = Start("ip", "netns", "exec", LanNamespace, "sleep", "3600");
            WaitForLog("Listening for NAT-PMP/PCP traffic on port 5351", TimeSpan.FromSeconds(10));
            Lan = new NamespaceThread(LanNamespace);
            Wan = new NamespaceThread(WanNamespace);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>miniupnpd's HTTP port (inside the gateway namespace).</summary>
    public const int HttpPort = 5000;

    public string GatewayNamespace { get; }

    public string LanNamespace { get; }

    public string WanNamespace { get; }

    public string LeaseFile { get; } = string.Empty;

    /// <summary>Makes sockets in the node's namespace.</summary>
    internal NamespaceThread Lan { get; } = null!;

    /// <summary>Makes sockets in the peer's namespace, beyond the router.</summary>
    internal NamespaceThread Wan { get; } = null!;

    /// <summary>The node's real network seam, inside the LAN namespace, reading that namespace's route table.</summary>
    internal SocketNatNetwork Network() => new($"/proc/{_lanSleeper!.Id}/net/route", Lan.NewSocket);

    /// <summary>What miniupnpd logged so far (-d: to stderr).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The rules miniupnpd put in the nat table (one line per DNAT).</summary>
    public IReadOnlyList<string> DnatRules() =>
        Run("ip", "netns", "exec", GatewayNamespace, "nft", "list", "chain", "inet", "filter", "prerouting_miniupnpd")
            .Split('\n').Where(l => l.Contains("dnat", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();

    /// <summary>miniupnpd's lease file: PROTO:EXTPORT:INTIP:INTPORT:EXPIRY:DESCRIPTION lines.</summary>
    public IReadOnlyList<string> Leases() => File.Exists(LeaseFile) ? File.ReadAllLines(LeaseFile).Where(l => l.Length > 0).ToList() : [];

    public void Dispose()
    {
        Lan?.Dispose();
        Wan?.Dispose();
        foreach (var process in new[] { _daemon, _lanSleeper })
        {
            if (process is null)
            {
                continue;
            }

            try
            {
                process.Kill();
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        foreach (var ns in new[] { GatewayNamespace, LanNamespace, WanNamespace })
        {
            if (ns is not null)
            {
                TryRun("ip", "netns", "del", ns);
            }
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private void WaitForLog(string line, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Log.Contains(line, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > timeout || _daemon!.HasExited)
            {
                throw new InvalidOperationException($"miniupnpd did not start ({(_daemon!.HasExited ? $"exit {_daemon.ExitCode}" : "timeout")}):\n{Log}");
            }

            Thread.Sleep(20);
        }
    }

    private Process Start(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }
            }
        }

        process.ErrorDataReceived += Append;
        process.OutputDataReceived += Append;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>Namespaces of earlier runs whose process died before removing them.</summary>
    private static void RemoveStale()
    {
        foreach (var line in TryRun("ip", "netns", "list").Split('\n'))
        {
            var name = line.Split(' ')[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length < Prefix.Length + 2
                || !int.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            foreach (var stray in TryRun("ip", "netns", "pids", name).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                TryRun("kill", stray.Trim());
            }

            TryRun("ip", "netns", "del", name);
        }
    }

    private static void Address(string ns, string device, string cidr)
    {
        Ip("-n", ns, "addr", "add", cidr, "dev", device);
        Ip("-n", ns, "link", "set", device, "up");
    }

    private static void Ip(params string[] arguments) => Run("ip", arguments);

    private static string Run(string file, params string[] arguments)
    {
        var (exit, output, error) = Execute(file, arguments);
        return exit == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: exit {exit}: {error}");
    }

    private static string TryRun(string file, params string[] arguments) => Execute(file, arguments).Output;

    private static (int Exit, string Output, string Error) Execute(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error);
    }
}
