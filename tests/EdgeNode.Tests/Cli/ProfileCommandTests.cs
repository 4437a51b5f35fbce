using System.Runtime.InteropServices;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Profiles;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary><c>init</c> suggests the board's profile and records one on request.</summary>
public sealed class ProfileCommandTests
{
    [Fact]
    public async Task Init_suggests_the_profile_of_the_board_it_finds()
    {
        using var temp = new TempDirectory();
        var harness = OnBoard("Raspberry Pi Zero 2 W Rev 1.0", 512L << 20);
        Assert.Equal(0, await harness.RunAsync("init", "--data", temp.Path, "--domain", "home.lan"));
        Assert.Contains("  hw-profile:    none", harness.Output, StringComparison.Ordinal);
        Assert.Contains("  board:         Raspberry Pi Zero 2 W Rev 1.0, 0.5 GiB RAM: profile pi-zero-2w fits (run --profile pi-zero-2w, or init --force --profile pi-zero-2w to record it)", harness.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Profile\": \"", await File.ReadAllTextAsync(Path.Combine(temp.Path, "epostedge.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_with_profile_auto_records_the_detected_profile_with_its_values_spelled_out()
    {
        using var temp = new TempDirectory();
        var harness = OnBoard("Raspberry Pi 4 Model B Rev 1.4", 4L << 30);
        Assert.Equal(0, await harness.RunAsync("init", "--data", temp.Path, "--domain", "home.lan", "--profile", "auto"));
        Assert.Contains("  hw-profile:    pi-4 (", harness.Output, StringComparison.Ordinal);
        var file = await File.ReadAllTextAsync(Path.Combine(temp.Path, "epostedge.json"));
        Assert.Contains("\"Profile\": \"pi-4\"", file, StringComparison.Ordinal);
        Assert.Contains("\"MemoryBudget\": \"768M\"", file, StringComparison.Ordinal);
        Assert.Contains("\"Port\": 25,", file, StringComparison.Ordinal);

        // run reads it back: the file's profile is in force without --profile.
        Assert.True(RunCommand.TryConfigure(harness.Context, temp.Path, null, out var configuration, out _));
        Assert.Equal("pi-4", configuration.ProfileName);
        Assert.Equal(500, configuration.Imap.MaxSessions);
    }

    [Fact]
    public async Task Init_refuses_an_unknown_profile_and_auto_on_a_board_without_one()
    {
        using var temp = new TempDirectory();
        var harness = OnBoard(null, null, Architecture.Arm64);
        Assert.Equal(2, await harness.RunAsync("init", "--data", temp.Path, "--domain", "home.lan", "--profile", "auto"));
        Assert.Contains("--profile auto: Arm64 machine without a device tree: no built-in profile fits", harness.Error, StringComparison.Ordinal);
        Assert.Equal(2, await harness.RunAsync("init", "--data", temp.Path, "--domain", "home.lan", "--profile", "pi-6"));
        Assert.Contains("no hw-profile named 'pi-6'", harness.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "epostedge.json")));
    }

    private static CliHarness OnBoard(string? model, long? memory, Architecture architecture = Architecture.Arm64) =>
        new(machine: new Machine(model, architecture, memory));

    private sealed record Machine(string? DeviceTreeModel, Architecture Architecture, long? MemoryBytes) : IMachineInfo;
}
