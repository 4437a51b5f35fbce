using System.Globalization;
using System.Text.RegularExpressions;
using EPostEdge.EdgeNode.Tests.Leds;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Systemd;

/// <summary>
/// The unit and the drop-ins <c>epost-edge systemd-unit</c> writes (run as a real process: the
/// embedded unit is what ships), checked by systemd's own tools: <c>systemd-analyze verify</c>
/// finds no error, and <c>systemd-analyze security --offline=true</c> rates the sandbox at an
/// exposure of 2.5 or less (scripts/test.sh installs systemd where it is missing).
/// </summary>
public sealed partial class UnitFileTests(ITestOutputHelper output) : IDisposable
{
    private const double MaxExposure = 2.5;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Profiles()
    {
        var data = new TheoryData<string> { "sysfs-low-ports", "gpio" };
        var folder = LedPanelTests.RepositoryFile("hw-profiles");
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileNameWithoutExtension(file));
            }
        }

        return data;
    }

    [Fact]
    public async Task The_unit_passes_verify_and_its_sandbox_rates_at_most_2_5()
    {
        var units = await WriteUnitsAsync(profile: null);
        Assert.False(Directory.Exists(Path.Combine(units, "epost-edge.service.d")));
        var unit = await File.ReadAllTextAsync(Path.Combine(units, "epost-edge.service"));
        Assert.Equal(await File.ReadAllTextAsync(LedPanelTests.RepositoryFile("systemd/epost-edge.service")), unit.Replace(Binary() + " ", "/usr/bin/epost-edge ", StringComparison.Ordinal));
        foreach (var line in new[] { "Type=notify", "WatchdogSec=30s", "DynamicUser=yes", "StateDirectory=epost-edge", "ProtectSystem=strict", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n" })
        {
            Assert.Contains(line, unit, StringComparison.Ordinal);
        }

        var exposure = await VerifyAndRateAsync(units);
        output.WriteLine($"systemd-analyze security: epost-edge.service exposure {exposure.ToString(CultureInfo.InvariantCulture)}");
        Console.WriteLine($"systemd-analyze security: epost-edge.service exposure {exposure.ToString(CultureInfo.InvariantCulture)}");
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task The_unit_with_a_profile_drop_in_passes_verify_and_rates_at_most_2_5(string profile)
    {
        var path = profile switch
        {
            "sysfs-low-ports" => WriteProfile(profile, """
                { "Smtp": { "Port": 25, "SubmissionPort": 587 }, "Imap": { "Port": 143 },
                  "Budget": { "MemoryBudget": "400M" }, "Leds": { "Driver": "sysfs", "Green": "ACT", "Red": "PWR" } }
                """),
            "gpio" => WriteProfile(profile, """
                { "Budget": { "MemoryBudget": "2G" }, "Leds": { "Driver": "gpio", "Green": "17", "Red": "27" } }
                """),
            _ => LedPanelTests.RepositoryFile($"hw-profiles/{profile}.json"),
        };
        var units = await WriteUnitsAsync(path);
        var dropIn = await File.ReadAllTextAsync(Path.Combine(units, "epost-edge.service.d", "profile.conf"));
        Assert.Contains($"--profile {profile}\n", dropIn, StringComparison.Ordinal);
        if (profile == "sysfs-low-ports")
        {
            Assert.Contains("MemoryHigh=400M\nMemoryMax=500M\n", dropIn, StringComparison.Ordinal);
            Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE\n", dropIn, StringComparison.Ordinal);
            Assert.Contains("ReadWritePaths=-/sys/class/leds/ACT -/sys/class/leds/PWR\n", dropIn, StringComparison.Ordinal);
        }
        else if (profile == "gpio")
        {
            Assert.Contains("MemoryMax=2560M\n", dropIn, StringComparison.Ordinal);
            Assert.DoesNotContain("CAP_NET_BIND_SERVICE", dropIn, StringComparison.Ordinal);
            Assert.Contains("DeviceAllow=char-gpiochip rw\n", dropIn, StringComparison.Ordinal);
        }

        var exposure = await VerifyAndRateAsync(units);
        output.WriteLine($"systemd-analyze security: epost-edge.service + {profile} drop-in exposure {exposure.ToString(CultureInfo.InvariantCulture)}");
        Console.WriteLine($"systemd-analyze security: epost-edge.service + {profile} drop-in exposure {exposure.ToString(CultureInfo.InvariantCulture)}");
    }

    [Fact]
    public async Task A_missing_profile_or_a_relative_binary_is_refused()
    {
        var (exit, _, error) = await NodeProcess.RunAsync(TimeSpan.FromSeconds(60), "systemd-unit", "--profile", "no-such-board");
        Assert.Equal(2, exit);
        Assert.Contains("no hw-profile named 'no-such-board'", error, StringComparison.Ordinal);
        (exit, _, error) = await NodeProcess.RunAsync(TimeSpan.FromSeconds(60), "systemd-unit", "--binary", "bin/epost-edge");
        Assert.Equal(2, exit);
        Assert.Contains("absolute path", error, StringComparison.Ordinal);
    }

    /// <summary>ExecStart='s binary: the AOT binary under test when there is one, else a stand-in the test makes (verify checks it is executable).</summary>
    private string Binary()
    {
        if (Environment.GetEnvironmentVariable(NodeProcess.BinaryVariable) is { Length: > 0 } binary)
        {
            return Path.GetFullPath(binary);
        }

        var standIn = Path.Combine(_temp.Path, "epost-edge");
        if (!File.Exists(standIn))
        {
            File.WriteAllText(standIn, "#!/bin/sh\nexit 0\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return standIn;
    }

    private string WriteProfile(string name, string json)
    {
        var path = Path.Combine(_temp.Path, name + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private async Task<string> WriteUnitsAsync(string? profile)
    {
        var units = Path.Combine(_temp.Path, "units-" + Guid.NewGuid().ToString("N"));
        var args = new List<string> { "systemd-unit", "--binary", Binary(), "--out", units };
        if (profile is not null)
        {
            args.AddRange(["--profile", profile]);
        }

        var (exit, stdout, stderr) = await NodeProcess.RunAsync(TimeSpan.FromSeconds(60), [.. args]);
        Assert.True(exit == 0, $"systemd-unit exited with {exit}: {stdout}{stderr}");
        return units;
    }

    /// <summary>Runs verify (no error) and security (exposure ≤ 2.5) on DIR/epost-edge.service with its drop-ins; returns the exposure.</summary>
    private static async Task<double> VerifyAndRateAsync(string units)
    {
        // The drop-in folder is found through the unit search path; ":" at the end keeps the
        // built-in path (systemd.unit(5), $SYSTEMD_UNIT_PATH).
        var environment = new Dictionary<string, string> { ["SYSTEMD_UNIT_PATH"] = units + ":" };
        var unit = Path.Combine(units, "epost-edge.service");
        var (exit, stdout, stderr) = await Tool.RunAsync("systemd-analyze", environment, "verify", unit);
        Assert.True(exit == 0, $"systemd-analyze verify exited with {exit}:\n{stdout}{stderr}");
        Assert.DoesNotContain("epost-edge.service:", stderr, StringComparison.Ordinal); // no warning about our lines either

        // --threshold is in tenths: exit 1 above 2.5.
        (exit, stdout, stderr) = await Tool.RunAsync("systemd-analyze", environment, "security", "--offline=true", $"--threshold={(int)(MaxExposure * 10)}", "--no-pager", unit);
        var match = Exposure().Match(stdout);
        Assert.True(match.Success, $"no exposure figure in:\n{stdout}{stderr}");
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exit == 0 && exposure <= MaxExposure, $"exposure {exposure} (exit {exit}), at most {MaxExposure} wanted:\n{stdout}{stderr}");
        return exposure;
    }

    [GeneratedRegex(@"Overall exposure level for epost-edge\.service: (\d+\.\d)")]
    private static partial Regex Exposure();
}
