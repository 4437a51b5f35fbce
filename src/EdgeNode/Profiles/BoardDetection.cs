using System.Globalization;
using System.Runtime.InteropServices;

namespace EPostEdge.EdgeNode.Profiles;

/// <summary>
/// Picks the hw-profile for a machine from its device-tree model (Raspberry Pi firmware writes
/// e.g. "Raspberry Pi Zero 2 W Rev 1.0") or, on a PC without a device tree, its architecture.
/// </summary>
public static class BoardDetection
{
    private const long GiB = 1024L * 1024 * 1024;

    // Longest names first: "Raspberry Pi 400" is a Pi 4, "Raspberry Pi 3 Model A Plus" has 512 MB.
    private static readonly (string Model, string Profile)[] Boards =
    [
        ("Raspberry Pi Zero 2", "pi-zero-2w"),
        ("Raspberry Pi 3 Model A Plus", "pi-zero-2w"),
        ("Raspberry Pi 3", "pi-3b-plus"),
        ("Raspberry Pi Compute Module 3", "pi-3b-plus"),
        ("Raspberry Pi 4", "pi-4"),
        ("Raspberry Pi Compute Module 4", "pi-4"),
        ("Raspberry Pi 5", "pi-5"),
        ("Raspberry Pi Compute Module 5", "pi-5"),
    ];

    /// <summary>The profile for <paramref name="machine"/>, or none with the reason.</summary>
    public static ProfileSuggestion Suggest(IMachineInfo machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var memory = machine.MemoryBytes is { } bytes ? string.Create(CultureInfo.InvariantCulture, $", {bytes / (1024.0 * 1024 * 1024):0.#} GiB RAM") : string.Empty;
        if (machine.DeviceTreeModel is { Length: > 0 } model)
        {
            foreach (var (name, profile) in Boards)
            {
                if (model.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                {
                    // The Pi 4 also came with 1 GB: the 2 GB profile's budgets would not fit it.
                    var fitted = profile == "pi-4" && machine.MemoryBytes is < (3 * GiB / 2) ? "pi-3b-plus" : profile;
                    return new ProfileSuggestion(fitted, model + memory);
                }
            }

            return new ProfileSuggestion(null, $"{model}{memory}: no built-in profile for this board (the node needs a 64-bit ARM or x86-64 board; give --profile a JSON file of your own)");
        }

        return machine.Architecture == Architecture.X64
            ? new ProfileSuggestion("nas-x86-64", $"x86-64 machine without a device tree{memory}")
            : new ProfileSuggestion(null, $"{machine.Architecture} machine without a device tree{memory}: no built-in profile fits");
    }
}
