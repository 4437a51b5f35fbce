using System.Text.Json.Serialization;

namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>Source-generated JSON for scenarios (AOT: no reflection). Keys are camelCase; enums and times are strings ("exponential", "00:10:00").</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SimulationScenario))]
public sealed partial class ScenarioJsonContext : JsonSerializerContext;
