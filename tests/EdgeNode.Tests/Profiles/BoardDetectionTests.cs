using System.Runtime.InteropServices;
using EPostEdge.EdgeNode.Profiles;

namespace EPostEdge.EdgeNode.Tests.Profiles;

/// <summary>Which profile <c>init</c> suggests for the device-tree models Raspberry Pi firmware writes.</summary>
public sealed class BoardDetectionTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Theory]
    [InlineData("Raspberry Pi Zero 2 W Rev 1.0", 512L * 1024 * 1024, "pi-zero-2w")]
    [InlineData("Raspberry Pi 3 Model A Plus Rev 1.0", 512L * 1024 * 1024, "pi-zero-2w")]
    [InlineData("Raspberry Pi 3 Model B Plus Rev 1.3", GiB, "pi-3b-plus")]
    [InlineData("Raspberry Pi 3 Model B Rev 1.2", GiB, "pi-3b-plus")]
    [InlineData("Raspberry Pi 4 Model B Rev 1.4", 4 * GiB, "pi-4")]
    [InlineData("Raspberry Pi 4 Model B Rev 1.1", GiB, "pi-3b-plus")]
    [InlineData("Raspberry Pi 400 Rev 1.0", 4 * GiB, "pi-4")]
    [InlineData("Raspberry Pi Compute Module 4 Rev 1.0", 2 * GiB, "pi-4")]
    [InlineData("Raspberry Pi 5 Model B Rev 1.0", 8 * GiB, "pi-5")]
    [InlineData("Raspberry Pi 500 Rev 1.0", 8 * GiB, "pi-5")]
    public void A_Raspberry_Pi_model_gets_its_profile(string model, long memory, string expected)
    {
        var suggestion = BoardDetection.Suggest(new Machine(model, Architecture.Arm64, memory));
        Assert.Equal(expected, suggestion.Profile);
        Assert.StartsWith(model, suggestion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_PC_without_a_device_tree_gets_the_NAS_profile()
    {
        var suggestion = BoardDetection.Suggest(new Machine(null, Architecture.X64, 8 * GiB));
        Assert.Equal("nas-x86-64", suggestion.Profile);
        Assert.Equal("x86-64 machine without a device tree, 8 GiB RAM", suggestion.Reason);
    }

    [Theory]
    [InlineData("Raspberry Pi Model B Rev 2", Architecture.Arm)]
    [InlineData("Pine64 RockPro64 v2.1", Architecture.Arm64)]
    [InlineData(null, Architecture.Arm64)]
    public void Other_boards_get_no_suggestion_and_say_why(string? model, Architecture architecture)
    {
        var suggestion = BoardDetection.Suggest(new Machine(model, architecture, null));
        Assert.Null(suggestion.Profile);
        Assert.Contains("profile", suggestion.Reason, StringComparison.Ordinal);
    }

    private sealed record Machine(string? DeviceTreeModel, Architecture Architecture, long? MemoryBytes) : IMachineInfo;
}
