using System.Collections;
using System.CommandLine;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Profiles;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary>Runs the command tree in-process over string streams (the mail wiring is the real one when a test passes it).</summary>
internal sealed class CliHarness
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public CliHarness(IMailWiring? mail = null, string input = "", Hashtable? environment = null, Queue<string?>? secrets = null, ulong seed = 11, TimeProvider? time = null, IMachineInfo? machine = null)
    {
        Context = new CliContext
        {
            Input = new StringReader(input),
            Output = _output,
            Error = _error,
            ReadSecret = _ => secrets is { Count: > 0 } ? secrets.Dequeue() : null,
            Environment = environment ?? new Hashtable(),
            FileSystem = new PhysicalFileSystem(),
            Time = time ?? TimeProvider.System,
            Random = new SeededRandomSource(seed),
            Mail = mail,
            Machine = machine ?? LinuxMachineInfo.Instance,
        };
    }

    public CliContext Context { get; }

    public string Output => _output.ToString();

    public string Error => _error.ToString();

    public Task<int> RunAsync(params string[] args) =>
        NodeCommands.Build(Context).Parse(args).InvokeAsync(new InvocationConfiguration { Output = _output, Error = _error });
}
