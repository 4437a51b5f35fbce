namespace EPostEdge.EdgeNode.Budgets;

/// <summary>The real <see cref="IVolumes"/>: DriveInfo, which is statvfs(3) on the folder on Linux.</summary>
public sealed class DriveVolumes : IVolumes
{
    /// <summary>The one instance.</summary>
    public static readonly DriveVolumes Instance = new();

    private DriveVolumes()
    {
    }

    /// <inheritdoc />
    public VolumeSpace Measure(string directory)
    {
        var full = Path.GetFullPath(directory);
        while (!Directory.Exists(full) && Path.GetDirectoryName(full) is { } parent)
        {
            full = parent;
        }

        var drive = new DriveInfo(full);
        return new VolumeSpace(drive.TotalSize, drive.AvailableFreeSpace);
    }
}
