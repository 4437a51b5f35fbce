using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Leds;

namespace EPostEdge.EdgeNode.Tests.Leds;

/// <summary>The kernel LED class driver against a folder laid out like /sys/class/leds (kernel docs, leds-class.rst).</summary>
public sealed class SysfsLedTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SysfsLedTests()
    {
        // A Pi's ACT LED follows the SD card; an LED without trigger keeps its brightness.
        Led("ACT", brightness: "0", max: "255", trigger: "none rc-feedback kbd-numlock timer oneshot heartbeat default-on [mmc0] rfkill-any");
        Led("PWR", brightness: "1", max: "1", trigger: "[none] timer default-on input");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Taking_an_led_stops_its_trigger_and_giving_it_back_restores_it()
    {
        using (var act = SysfsLed.Take(_temp.Path, "ACT"))
        {
            Assert.Equal("mmc0", act.PreviousTrigger);
            Assert.Equal("none", Read("ACT", "trigger"));
            act.Set(true);
            Assert.Equal("255", Read("ACT", "brightness"));
            act.Set(false);
            Assert.Equal("0", Read("ACT", "brightness"));
            act.Set(true);
        }

        Assert.Equal("mmc0", Read("ACT", "trigger"));
    }

    [Fact]
    public void An_led_that_had_no_trigger_gets_its_brightness_back()
    {
        using (var pwr = SysfsLed.Take(_temp.Path, "PWR"))
        {
            Assert.Equal("none", pwr.PreviousTrigger);
            pwr.Set(false);
            Assert.Equal("0", Read("PWR", "brightness"));
        }

        Assert.Equal("1", Read("PWR", "brightness"));
        Assert.Equal("none", Read("PWR", "trigger"));
    }

    [Fact]
    public void The_profile_section_opens_both_leds_and_names_a_missing_one()
    {
        var options = new LedOptions { Driver = "sysfs", Green = "ACT", Red = "PWR", ClassPath = _temp.Path };
        var leds = LedDrivers.Open(options);
        Assert.NotNull(leds);
        using (leds.Value.Green)
        using (leds.Value.Red)
        {
            Assert.Equal(("ACT", "PWR"), (leds.Value.Green.Name, leds.Value.Red.Name));
        }

        // What the kernel shows again after the trigger was written back.
        Led("ACT", brightness: "0", max: "255", trigger: "none timer [mmc0]");
        var missing = Assert.Throws<IOException>(() => LedDrivers.Open(new LedOptions { Driver = "sysfs", Green = "ACT", Red = "led1", ClassPath = _temp.Path }));
        Assert.Contains("Leds:Red = 'led1'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("present: ACT, PWR", missing.Message, StringComparison.Ordinal);
        Assert.Equal("mmc0", Read("ACT", "trigger")); // the green one, taken first, was given back

        Assert.Null(LedDrivers.Open(new LedOptions()));
        Assert.Throws<IOException>(() => LedDrivers.Open(new LedOptions { Driver = "blink", Green = "ACT", Red = "PWR" }));
        Assert.Throws<IOException>(() => LedDrivers.Open(new LedOptions { Driver = "sysfs", Green = "../ACT", Red = "PWR", ClassPath = _temp.Path }));
        Assert.Throws<IOException>(() => LedDrivers.Open(new LedOptions { Driver = "gpio", Green = "ACT", Red = "27" }));
    }

    [Fact]
    public void A_gpio_led_on_a_machine_without_gpio_is_an_io_error_not_a_crash()
    {
        // This machine (CI, a PC) has no /dev/gpiochip*: the driver's own exception becomes one
        // IOException the node logs ("status LEDs: off: ...").
        Assert.False(File.Exists("/dev/gpiochip0"), "this test expects a machine without GPIO");
        var error = Assert.Throws<IOException>(() => LedDrivers.Open(new LedOptions { Driver = "gpio", Green = "17", Red = "27" }));
        Assert.Contains("Leds:Green = '17' (gpio)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none [mmc0] timer", "mmc0")]
    [InlineData("[none] timer", "none")]
    [InlineData("none timer [default-on]\n", "default-on")]
    [InlineData("", "none")]
    public void The_current_trigger_is_the_one_in_brackets(string file, string expected) =>
        Assert.Equal(expected, SysfsLed.CurrentTrigger(file));

    private void Led(string name, string brightness, string max, string trigger)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_temp.Path, name)).FullName;
        File.WriteAllText(Path.Combine(directory, "brightness"), brightness + "\n");
        File.WriteAllText(Path.Combine(directory, "max_brightness"), max + "\n");
        File.WriteAllText(Path.Combine(directory, "trigger"), trigger + "\n");
    }

    private string Read(string led, string file) => File.ReadAllText(Path.Combine(_temp.Path, led, file)).Trim();
}
