using System.Globalization;

namespace EPostEdge.EdgeNode.Leds;

/// <summary>
/// An LED of the kernel's LED class (<c>/sys/class/leds/NAME</c>), the way a Raspberry Pi exposes
/// its ACT (green) and PWR (red) LEDs. Taking it sets its trigger to <c>none</c> so the kernel
/// stops driving it (the ACT LED follows SD card activity by default); disposing writes the
/// previous trigger back (and the previous brightness when there was none), so the board shows
/// what it showed before the node ran. The one real implementation of the LED seam that does
/// file I/O (kernel docs, Documentation/leds/leds-class.rst: brightness, max_brightness, trigger).
/// </summary>
public sealed class SysfsLed : ILed
{
    /// <summary>Where the kernel lists its LEDs.</summary>
    public const string DefaultClassPath = "/sys/class/leds";

    private readonly string _brightness;
    private readonly string _trigger;
    private readonly int _max;
    private readonly string _previousTrigger;
    private readonly string _previousBrightness;
    private bool _released;

    private SysfsLed(string name, string directory)
    {
        Name = name;
        _brightness = Path.Combine(directory, "brightness");
        _trigger = Path.Combine(directory, "trigger");
        _max = ReadMaxBrightness(Path.Combine(directory, "max_brightness"));
        _previousTrigger = CurrentTrigger(File.ReadAllText(_trigger));
        _previousBrightness = File.ReadAllText(_brightness).Trim();

        // "none" first: a brightness written under a blinking trigger is overridden by it.
        File.WriteAllText(_trigger, "none");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The trigger the LED had when it was taken (written back on dispose).</summary>
    public string PreviousTrigger => _previousTrigger;

    /// <summary>Takes the LED <paramref name="name"/> under <paramref name="classPath"/> (normally <see cref="DefaultClassPath"/>).</summary>
    /// <exception cref="ArgumentException">The name is not a plain LED name.</exception>
    /// <exception cref="IOException">There is no such LED, or it cannot be written (the unit's sandbox, file permissions).</exception>
    /// <exception cref="UnauthorizedAccessException">The LED's files are not writable by the node's user.</exception>
    public static SysfsLed Take(string classPath, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(classPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not an LED name (one entry of {classPath})", nameof(name));
        }

        var directory = Path.Combine(classPath, name);
        if (!Directory.Exists(directory))
        {
            var present = Directory.Exists(classPath) ? string.Join(", ", Directory.GetFileSystemEntries(classPath).Select(Path.GetFileName).Order(StringComparer.Ordinal)) : "none";
            throw new IOException($"no LED '{name}' in {classPath} (present: {present})");
        }

        return new SysfsLed(name, directory);
    }

    /// <inheritdoc />
    public void Set(bool on)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        File.WriteAllText(_brightness, on ? _max.ToString(CultureInfo.InvariantCulture) : "0");
    }

    /// <summary>Gives the LED back to the kernel: the previous trigger, or the previous brightness when it had none.</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            if (_previousTrigger == "none")
            {
                File.WriteAllText(_brightness, _previousBrightness);
            }
            else
            {
                File.WriteAllText(_trigger, _previousTrigger);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort on the way out (the LED's driver went away): nothing else to give back.
        }
    }

    /// <summary>The selected trigger of a <c>trigger</c> file: the one in brackets ("none [mmc0] timer" → "mmc0").</summary>
    public static string CurrentTrigger(string triggerFile)
    {
        ArgumentNullException.ThrowIfNull(triggerFile);
        var open = triggerFile.IndexOf('[', StringComparison.Ordinal);
        var close = open < 0 ? -1 : triggerFile.IndexOf(']', open + 1);
        return close > open + 1 ? triggerFile[(open + 1)..close] : "none";
    }

    private static int ReadMaxBrightness(string path)
    {
        // Absent on no kernel we know; 1 lights any LED.
        if (!File.Exists(path))
        {
            return 1;
        }

        return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0 ? max : 1;
    }
}
