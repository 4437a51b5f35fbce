namespace EPostEdge.EdgeNode.Budgets;

/// <summary>Reads how full the data folder's file system is; tests feed figures.</summary>
public interface IVolumes
{
    /// <summary>The file system holding <paramref name="directory"/>.</summary>
    VolumeSpace Measure(string directory);
}
