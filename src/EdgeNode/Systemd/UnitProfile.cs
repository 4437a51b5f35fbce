using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Configuration;
using Microsoft.Extensions.Configuration;

namespace EPostEdge.EdgeNode.Systemd;

/// <summary>What the systemd drop-in takes from a hw-profile: its memory budget, the ports below 1024 it configures, its LEDs.</summary>
/// <param name="Name">The profile's name (pi-4), passed on to <c>run --profile</c>.</param>
/// <param name="MemoryBudgetBytes">Budget:MemoryBudget; null when the profile sets none.</param>
/// <param name="LowPorts">Every configured port below 1024, with its setting.</param>
/// <param name="Leds">The profile's "Leds" section.</param>
internal sealed record UnitProfile(string Name, long? MemoryBudgetBytes, IReadOnlyList<(string Setting, int Port)> LowPorts, LedOptions Leds)
{
    /// <summary>Reads a hw-profile file (the same sections as epostedge.json, plus Budget).</summary>
    /// <exception cref="InvalidDataException">Not JSON, or a setting that is not what it should be.</exception>
    public static UnitProfile Load(string name, Stream json)
    {
        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder().AddJsonStream(json).Build();
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException || ex.InnerException is System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"the profile is not valid JSON: {(ex.InnerException ?? ex).Message}", ex);
        }

        var configuration = new NodeConfiguration();
        try
        {
            root.GetSection("Smtp").Bind(configuration.Smtp);
            root.GetSection("Imap").Bind(configuration.Imap);
            root.GetSection("Overlay").Bind(configuration.Overlay);
            root.GetSection("Leds").Bind(configuration.Leds);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"bad setting: {ex.Message}", ex);
        }

        long? budget = null;
        if (root["Budget:MemoryBudget"] is { Length: > 0 } text)
        {
            budget = ByteSize.TryParse(text, out var bytes) && bytes > 0 ? bytes : throw new InvalidDataException($"Budget:MemoryBudget = '{text}' is not a size (examples: 400M, 2G)");
        }

        var ports = configuration.Ports.Append(("Overlay:Port", configuration.Overlay.Port)).Where(p => p.Port is > 0 and < 1024).ToList();
        return new UnitProfile(name, budget, ports, configuration.Leds);
    }
}
