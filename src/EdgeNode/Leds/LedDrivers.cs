using System.Globalization;
using EPostEdge.EdgeNode.Configuration;

namespace EPostEdge.EdgeNode.Leds;

/// <summary>Opens the two LEDs the "Leds" section names, with the driver it names.</summary>
public static class LedDrivers
{
    /// <summary>The green and red LED, or null when the section says <c>none</c> (or names no LED).</summary>
    /// <exception cref="IOException">An LED cannot be taken (missing, sandboxed, not writable), or the section is wrong; the message says which.</exception>
    public static (ILed Green, ILed Red)? Open(LedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var driver = options.Driver.Trim().ToLowerInvariant();
        if (driver is "" or LedOptions.NoDriver)
        {
            return null;
        }

        if (driver is not (LedOptions.SysfsDriver or LedOptions.GpioDriver))
        {
            throw new IOException($"Leds:Driver = '{options.Driver}': it must be {LedOptions.SysfsDriver}, {LedOptions.GpioDriver} or {LedOptions.NoDriver}");
        }

        if (string.IsNullOrWhiteSpace(options.Green) || string.IsNullOrWhiteSpace(options.Red))
        {
            throw new IOException("Leds:Green and Leds:Red must both name an LED");
        }

        var green = Open(driver, options, options.Green.Trim(), "Leds:Green");
        try
        {
            return (green, Open(driver, options, options.Red.Trim(), "Leds:Red"));
        }
        catch
        {
            green.Dispose();
            throw;
        }
    }

    private static ILed Open(string driver, LedOptions options, string name, string setting)
    {
        try
        {
            if (driver == LedOptions.SysfsDriver)
            {
                return SysfsLed.Take(options.ClassPath, name);
            }

            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pin))
            {
                throw new IOException($"'{name}' is not a GPIO pin number");
            }

            return GpioLed.Open(pin);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new IOException($"{setting} = '{name}' ({driver}): {ex.Message}", ex);
        }
    }
}
