using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EPostEdge.EdgeNode.Tests.Nat.Igd;

/// <summary>
/// A thread that has entered a network namespace (setns(2) on /run/netns/NAME, as `ip netns
/// exec` does) and makes sockets there. A socket keeps the namespace it was made in whichever
/// thread uses it later, so the node's real <c>SocketNatNetwork</c> runs inside the namespace
/// when given <see cref="NewSocket"/> as its factory.
/// </summary>
internal sealed partial class NamespaceThread : IDisposable
{
    private const int CloneNewNet = 0x40000000; // sched.h
    private const int OpenReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public NamespaceThread(string name)
    {
        Name = name;
        var entered = new TaskCompletionSource();
        _thread = new Thread(() =>
        {
            var fd = Open($"/run/netns/{name}", OpenReadOnlyCloseOnExec);
            if (fd < 0 || SetNamespace(fd, CloneNewNet) != 0)
            {
                entered.SetException(new IOException($"cannot enter network namespace {name}: errno {Marshal.GetLastPInvokeError()}"));
                return;
            }

            Close(fd);
            entered.SetResult();
            foreach (var work in _work.GetConsumingEnumerable())
            {
                work();
            }
        })
        {
            IsBackground = true,
            Name = $"netns {name}",
        };
        _thread.Start();
        entered.Task.GetAwaiter().GetResult();
    }

    public string Name { get; }

    /// <summary>A socket in this namespace.</summary>
    public Socket NewSocket(AddressFamily family, SocketType type, ProtocolType protocol) => Run(() => new Socket(family, type, protocol));

    public T Run<T>(Func<T> function)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                result.SetResult(function());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int namespaceType);
}
