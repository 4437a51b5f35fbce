using System.Device.Gpio;

namespace EPostEdge.EdgeNode.Leds;

/// <summary>
/// An LED on a GPIO pin (through System.Device.Gpio: the character device /dev/gpiochipN via
/// libgpiod, or the board's own driver on a Raspberry Pi), active high. Disposing turns it off
/// and closes the pin (a GPIO LED has no kernel trigger to give back).
/// </summary>
public sealed class GpioLed : ILed
{
    private readonly GpioController _controller;
    private readonly int _pin;
    private bool _released;

    private GpioLed(GpioController controller, int pin)
    {
        _controller = controller;
        _pin = pin;
    }

    /// <inheritdoc />
    public string Name => $"GPIO {_pin}";

    /// <summary>Opens <paramref name="pin"/> (logical numbering, BCM on a Pi) as an output, LED off.</summary>
    /// <exception cref="IOException">No GPIO controller here, or the pin cannot be opened (sandbox, permissions, in use).</exception>
    public static GpioLed Open(int pin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        GpioController? controller = null;
        try
        {
            controller = new GpioController();
            controller.OpenPin(pin, PinMode.Output, PinValue.Low);
            return new GpioLed(controller, pin);
        }
        catch (Exception ex) when (ex is not IOException)
        {
            // The drivers throw PlatformNotSupportedException, InvalidOperationException,
            // UnauthorizedAccessException, Win32Exception... one type for the caller to handle.
            controller?.Dispose();
            throw new IOException($"cannot open GPIO pin {pin}: {ex.Message}", ex);
        }
        catch
        {
            controller?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Set(bool on)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        _controller.Write(_pin, on ? PinValue.High : PinValue.Low);
    }

    /// <summary>Turns the LED off and closes the pin.</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            _controller.Write(_pin, PinValue.Low);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // Best effort on the way out.
        }

        _controller.Dispose();
    }
}
