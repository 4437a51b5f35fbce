namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// DATA/node.lock, held exclusively while a node runs so that two processes never open one
/// store. FileShare.None on Unix takes an advisory flock(2): the kernel releases it when the
/// process dies, even by SIGKILL, so a stale file never blocks a restart.
/// </summary>
/// <remarks>IFileSystem has no lock operation; this is the one file opened directly.</remarks>
public sealed class NodeLock : IDisposable
{
    public const string FileName = "node.lock";

    private readonly FileStream _file;

    private NodeLock(FileStream file)
    {
        _file = file;
    }

    /// <summary>Takes the lock; null when another process holds it. The data folder must exist.</summary>
    public static NodeLock? TryAcquire(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not DirectoryNotFoundException and not FileNotFoundException)
        {
            return null;
        }

        // The pid is for people looking at the file; the lock itself is the flock.
        file.SetLength(0);
        var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
        file.Write(pid);
        file.Flush();
        return new NodeLock(file);
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="patience"/> for it: a short-lived command
    /// (<c>status</c>, <c>user add</c>) holds it for the moment it reads the store, and a node
    /// started in that moment must not fail as if another node ran. Null when it is still held.
    /// </summary>
    public static async Task<NodeLock?> AcquireAsync(string dataDirectory, TimeSpan patience, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            if (TryAcquire(dataDirectory) is { } held)
            {
                return held;
            }

            if (time.GetElapsedTime(started) >= patience)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether a node holds the lock right now (takes and drops it when free).</summary>
    public static bool IsHeld(string dataDirectory)
    {
        if (!Directory.Exists(dataDirectory))
        {
            return false;
        }

        using var probe = TryAcquire(dataDirectory);
        return probe is null;
    }

    public void Dispose() => _file.Dispose();
}
