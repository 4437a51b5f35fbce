using System.Globalization;
using System.Text;
using EPostEdge.EdgeNode.Configuration;

namespace EPostEdge.EdgeNode.Systemd;

/// <summary>
/// The node's systemd unit (systemd/epost-edge.service, embedded in the binary) and the drop-in
/// that fits it to a board's hw-profile: the memory ceiling from its budget, the one capability
/// ports below 1024 need, and write access to its LEDs. <c>epost-edge systemd-unit</c> writes both.
/// </summary>
internal static class UnitFiles
{
    public const string UnitName = "epost-edge.service";

    public const string DropInName = "profile.conf";

    /// <summary>The path ExecStart= has in the embedded unit.</summary>
    public const string DefaultBinary = "/usr/bin/epost-edge";

    /// <summary>The embedded unit with ExecStart= pointing at <paramref name="binary"/>.</summary>
    public static string Unit(string binary)
    {
        using var stream = typeof(UnitFiles).Assembly.GetManifestResourceStream(UnitName)
            ?? throw new InvalidOperationException($"{UnitName} is not embedded in this build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace($"ExecStart={DefaultBinary} ", $"ExecStart={binary} ", StringComparison.Ordinal);
    }

    /// <summary>The drop-in (epost-edge.service.d/profile.conf) for <paramref name="profile"/>.</summary>
    public static string DropIn(UnitProfile profile, string binary)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Written by `epost-edge systemd-unit --profile {profile.Name}`: run it again rather than editing.\n");
        text.Append("[Service]\n");
        text.Append("ExecStart=\n");
        text.Append(CultureInfo.InvariantCulture, $"ExecStart={binary} run --data %S/epost-edge --profile {profile.Name}\n");

        if (profile.MemoryBudgetBytes is { } budget)
        {
            // The node sheds load before its budget (new sessions refused); above MemoryHigh= the
            // kernel reclaims and throttles (page cache first), and MemoryMax= is the last resort
            // (OOM kill, systemd restarts it): a quarter above the budget. systemd.resource-control(5).
            text.Append(CultureInfo.InvariantCulture, $"# Budget:MemoryBudget = {Mebibytes(budget)}M\n");
            text.Append(CultureInfo.InvariantCulture, $"MemoryHigh={Mebibytes(budget)}M\n");
            text.Append(CultureInfo.InvariantCulture, $"MemoryMax={Mebibytes(budget + (budget / 4))}M\n");
        }

        if (profile.LowPorts.Count > 0)
        {
            // capabilities(7): binding below 1024 needs CAP_NET_BIND_SERVICE in the user namespace
            // that owns the network namespace (the host's), which PrivateUsers= would not give.
            var ports = string.Join(", ", profile.LowPorts.Select(p => $"{p.Setting} = {p.Port}"));
            text.Append(CultureInfo.InvariantCulture, $"# {ports}: below 1024\n");
            text.Append("CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
            text.Append("AmbientCapabilities=CAP_NET_BIND_SERVICE\n");
            text.Append("PrivateUsers=no\n");
        }

        AppendLeds(text, profile.Leds);
        return text.ToString();
    }

    private static void AppendLeds(StringBuilder text, LedOptions leds)
    {
        var driver = leds.Driver.Trim().ToLowerInvariant();
        var names = new[] { leds.Green.Trim(), leds.Red.Trim() }.Where(n => n.Length > 0).ToList();
        if (names.Count == 0)
        {
            return;
        }

        if (driver == LedOptions.SysfsDriver)
        {
            // /sys is read-only (ProtectKernelTunables=) but for the two LEDs; their files belong
            // to root, so each start gives them to the node's user ("+": outside the sandbox;
            // "-": a board without that LED still starts, and the node says so in its log).
            var directories = names.Select(n => $"{leds.ClassPath.TrimEnd('/')}/{n}").ToList();
            text.Append(CultureInfo.InvariantCulture, $"# Leds: {leds.Driver} {leds.Green} (green), {leds.Red} (red)\n");
            text.Append(CultureInfo.InvariantCulture, $"ReadWritePaths={string.Join(' ', directories.Select(d => "-" + d))}\n");
            text.Append(CultureInfo.InvariantCulture, $"ExecStartPre=-+/bin/chown epost-edge {string.Join(' ', directories.SelectMany(d => new[] { d + "/brightness", d + "/trigger" }))}\n");
        }
        else if (driver == LedOptions.GpioDriver)
        {
            // The GPIO character devices (libgpiod) and the Pi's /dev/gpiomem, and nothing else of /dev.
            text.Append(CultureInfo.InvariantCulture, $"# Leds: gpio pins {leds.Green} (green), {leds.Red} (red)\n");
            text.Append("PrivateDevices=no\n");
            text.Append("DeviceAllow=char-gpiochip rw\n");
            text.Append("DeviceAllow=/dev/gpiomem rw\n");
            text.Append("ExecStartPre=-+/bin/sh -c 'chown epost-edge /dev/gpiochip* /dev/gpiomem'\n");
        }
    }

    private static long Mebibytes(long bytes) => (bytes + (1 << 20) - 1) >> 20;
}
