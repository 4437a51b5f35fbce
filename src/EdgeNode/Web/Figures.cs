using System.Globalization;

namespace EPostEdge.EdgeNode.Web;

/// <summary>How the page writes sizes, durations and times for a person (the exact figure is in its data-v attribute).</summary>
public static class Figures
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>Binary units with three significant digits: 512 B, 1.50 KiB, 12.3 MiB, 120 GiB.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var format = value >= 100 ? "0" : value >= 10 ? "0.0" : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>The two largest units: 42 s, 5 min 3 s, 3 h 12 min, 2 d 4 h.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration switch
        {
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.Seconds} s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes} min {duration.Seconds} s"),
            { TotalDays: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.Hours} h {duration.Minutes} min"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalDays} d {duration.Hours} h"),
        };
    }

    /// <summary>A round-trip time in milliseconds: 0.42 ms, 12.5 ms, 230 ms.</summary>
    public static string Milliseconds(TimeSpan time)
    {
        var ms = time.TotalMilliseconds;
        var format = ms >= 100 ? "0" : ms >= 10 ? "0.0" : "0.00";
        return ms.ToString(format, CultureInfo.InvariantCulture) + " ms";
    }

    /// <summary>A moment in UTC, to the second (the node's zone is not the reader's).</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A share 0..1 of a whole, for a bar's width; 0 when the whole is unknown or zero.</summary>
    public static double Share(long part, long? whole) => whole is > 0 ? Math.Clamp((double)part / whole.Value, 0, 1) : 0;
}
