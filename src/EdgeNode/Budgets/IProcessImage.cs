namespace EPostEdge.EdgeNode.Budgets;

/// <summary>
/// The running program as an image that can be started again in place (execve(2)): how the node
/// gives the GC a heap limit, which the runtime reads only at start. Tests record instead.
/// </summary>
public interface IProcessImage
{
    /// <summary>This process's executable (/proc/self/exe) and arguments (/proc/self/cmdline, argv[0] first).</summary>
    (string Executable, IReadOnlyList<string> Arguments) CommandLine();

    /// <summary>
    /// Replaces this process's image with <paramref name="executable"/> (same PID, which systemd's
    /// Type=notify service needs); returns only when that failed, with the reason.
    /// </summary>
    string Exec(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment);
}
