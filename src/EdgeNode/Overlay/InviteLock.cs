namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// DATA/overlay/invites.lock, held for the few milliseconds of one read-modify-write of the invite
/// ledger, so that <c>epost-edge invite</c> (another process) and the running node's enrollment
/// answers never lose each other's write. Like <see cref="Hosting.NodeLock"/> it is a flock(2)
/// taken by FileShare.None, which the kernel drops when the holder dies.
/// </summary>
/// <remarks>IFileSystem has no lock operation; like node.lock this file is opened directly.</remarks>
internal sealed class InviteLock : IDisposable
{
    /// <summary>How long to wait for another holder before giving up.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(5);

    private readonly FileStream _file;

    private InviteLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, retrying while another process holds it.</summary>
    /// <exception cref="IOException">Still held by another after <see cref="Patience"/>.</exception>
    public static InviteLock Acquire(string path, TimeProvider time)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return new InviteLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException ex) when (ex is not DirectoryNotFoundException and not FileNotFoundException)
            {
                if (time.GetElapsedTime(started) > Patience)
                {
                    throw new IOException($"{path} is held by another process for more than {Patience.TotalSeconds:0} s", ex);
                }
            }

            // The holder keeps it for one small file write: a short pause, timed by the injected
            // clock's own timer (a fake clock in a test fires it by advancing).
            using var woken = new ManualResetEventSlim();
            using (time.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), woken, Pause, Timeout.InfiniteTimeSpan))
            {
                woken.Wait();
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
