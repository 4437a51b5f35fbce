namespace EPostEdge.EdgeNode.Profiles;

/// <summary>What <see cref="BoardDetection"/> made of the machine.</summary>
/// <param name="Profile">The built-in profile that fits ("pi-4"); null when none does.</param>
/// <param name="Reason">Why, in words for the user ("Raspberry Pi 4 Model B Rev 1.4, 4 GB").</param>
public readonly record struct ProfileSuggestion(string? Profile, string Reason);
