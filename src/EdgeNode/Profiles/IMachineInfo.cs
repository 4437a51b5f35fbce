using System.Runtime.InteropServices;

namespace EPostEdge.EdgeNode.Profiles;

/// <summary>What <c>init</c> reads of the machine to suggest a hw-profile (tests feed their own).</summary>
public interface IMachineInfo
{
    /// <summary>The device-tree model (/proc/device-tree/model, e.g. "Raspberry Pi 4 Model B Rev 1.4"); null when the machine has none (PCs).</summary>
    string? DeviceTreeModel { get; }

    /// <summary>The processor architecture the node runs on.</summary>
    Architecture Architecture { get; }

    /// <summary>Physical memory in bytes (MemTotal of /proc/meminfo); null when unknown.</summary>
    long? MemoryBytes { get; }
}
