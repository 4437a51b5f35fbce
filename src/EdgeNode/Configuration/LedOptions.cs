namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// The "Leds" section (written by the hw-profiles, README "Status LEDs"): which driver lights the
/// box's two status LEDs and what they are called (environment: <c>EPOSTEDGE_Leds__Driver</c>, …).
/// </summary>
public sealed class LedOptions
{
    /// <summary>No LEDs (the default: a NAS or a PC has none the node may take).</summary>
    public const string NoDriver = "none";

    /// <summary>The kernel LED class, /sys/class/leds (preferred on a Pi, where an overlay maps the LEDs).</summary>
    public const string SysfsDriver = "sysfs";

    /// <summary>LEDs wired to GPIO pins (System.Device.Gpio).</summary>
    public const string GpioDriver = "gpio";

    /// <summary><see cref="SysfsDriver"/>, <see cref="GpioDriver"/> or <see cref="NoDriver"/>.</summary>
    public string Driver { get; set; } = NoDriver;

    /// <summary>The green LED: an LED class name (<c>ACT</c>, <c>led0</c>) or a GPIO pin number.</summary>
    public string Green { get; set; } = string.Empty;

    /// <summary>The red LED: an LED class name (<c>PWR</c>, <c>led1</c>) or a GPIO pin number.</summary>
    public string Red { get; set; } = string.Empty;

    /// <summary>Where the kernel's LED class is (only for the sysfs driver; a board with its LEDs elsewhere, or a test's copy).</summary>
    public string ClassPath { get; set; } = Leds.SysfsLed.DefaultClassPath;
}
