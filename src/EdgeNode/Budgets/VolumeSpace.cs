namespace EPostEdge.EdgeNode.Budgets;

/// <summary>The size and free space of the file system holding a folder (statvfs(3)).</summary>
/// <param name="TotalBytes">The file system's size.</param>
/// <param name="AvailableBytes">Free to an unprivileged writer (f_bavail).</param>
public readonly record struct VolumeSpace(long TotalBytes, long AvailableBytes);
