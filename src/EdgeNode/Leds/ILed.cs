namespace EPostEdge.EdgeNode.Leds;

/// <summary>
/// One status LED of the box: on or off. The seam between the node's patterns
/// (<see cref="LedPanel"/>) and the hardware: the kernel LED class (<see cref="SysfsLed"/>),
/// a GPIO pin (<see cref="GpioLed"/>), or a recording LED in the tests.
/// </summary>
/// <remarks>Disposing hands the LED back as it was found (a kernel trigger such as the SD card's activity).</remarks>
public interface ILed : IDisposable
{
    /// <summary>What the profile calls it (an LED class name or a pin), for logs.</summary>
    string Name { get; }

    /// <summary>Lights the LED (full brightness) or turns it off.</summary>
    /// <exception cref="IOException">The LED is gone or refuses the write.</exception>
    void Set(bool on);
}
