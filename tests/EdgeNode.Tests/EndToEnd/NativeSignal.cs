namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>kill(2), for SIGTERM (what systemd sends on stop); SIGKILL goes through Process.Kill.</summary>
internal static partial class NativeSignal
{
    public const int SigTerm = 15;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Send(int pid, int signal);
}
