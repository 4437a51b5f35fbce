using System.Globalization;
using System.Runtime.InteropServices;

namespace EPostEdge.EdgeNode.Profiles;

/// <summary>The real <see cref="IMachineInfo"/>: /proc/device-tree/model and /proc/meminfo (proc(5)).</summary>
public sealed class LinuxMachineInfo : IMachineInfo
{
    /// <summary>The one instance.</summary>
    public static readonly LinuxMachineInfo Instance = new();

    private LinuxMachineInfo()
    {
    }

    /// <inheritdoc />
    public string? DeviceTreeModel
    {
        get
        {
            try
            {
                // The kernel writes the model NUL-terminated.
                return File.Exists("/proc/device-tree/model") ? File.ReadAllText("/proc/device-tree/model").TrimEnd('\0', '\n', ' ') : null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    /// <inheritdoc />
    public Architecture Architecture => RuntimeInformation.ProcessArchitecture;

    /// <inheritdoc />
    public long? MemoryBytes
    {
        get
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/meminfo"))
                {
                    // "MemTotal:        8039192 kB"
                    if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                        && long.TryParse(line.AsSpan(9).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                    {
                        return kib * 1024;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not Linux, or /proc not mounted: unknown.
            }

            return null;
        }
    }
}
