using System.Runtime.InteropServices;
using System.Text;

namespace EPostEdge.EdgeNode.Budgets;

/// <summary>The real <see cref="IProcessImage"/>: /proc/self/exe, /proc/self/cmdline (proc(5)) and execve(2).</summary>
public sealed partial class LinuxProcessImage : IProcessImage
{
    /// <summary>The one instance.</summary>
    public static readonly LinuxProcessImage Instance = new();

    private LinuxProcessImage()
    {
    }

    /// <inheritdoc />
    public (string Executable, IReadOnlyList<string> Arguments) CommandLine()
    {
        // /proc/self/exe, not argv[0]: the binary may have been started by a relative name or
        // through $PATH; under `dotnet epost-edge.dll` it is the host, and cmdline holds the dll.
        var executable = new FileInfo("/proc/self/exe").LinkTarget ?? Environment.ProcessPath ?? throw new IOException("cannot read /proc/self/exe");
        var raw = File.ReadAllBytes("/proc/self/cmdline");
        var arguments = Encoding.UTF8.GetString(raw).TrimEnd('\0').Split('\0');
        return (executable, arguments);
    }

    /// <inheritdoc />
    public string Exec(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var argv = new nint[arguments.Count + 1];
        var envp = new nint[environment.Count + 1];
        try
        {
            for (var i = 0; i < arguments.Count; i++)
            {
                argv[i] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            }

            var e = 0;
            foreach (var (name, value) in environment)
            {
                envp[e++] = Marshal.StringToCoTaskMemUTF8($"{name}={value}");
            }

            Console.Out.Flush();
            Console.Error.Flush();
            _ = Execve(executable, argv, envp);
            return $"execve {executable}: {Marshal.GetLastPInvokeErrorMessage()}";
        }
        finally
        {
            foreach (var pointer in argv.Concat(envp))
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, nint[] argv, nint[] envp);
}
