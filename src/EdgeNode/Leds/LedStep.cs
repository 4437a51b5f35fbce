namespace EPostEdge.EdgeNode.Leds;

/// <summary>One step of a <see cref="LedPattern"/>: both LEDs held for <paramref name="Duration"/>.</summary>
/// <param name="Duration">How long the step lasts.</param>
/// <param name="Green">The green LED is on.</param>
/// <param name="Red">The red LED is on.</param>
public readonly record struct LedStep(TimeSpan Duration, bool Green, bool Red);
