using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// A real <c>epost-edge</c> node for end-to-end tests: <c>init</c> in a fresh data folder,
/// <c>user add</c> for each user (password on standard input), then <c>run</c> on free loopback
/// ports given through the <c>EPOSTEDGE_</c> environment overrides. Everything the process
/// prints is kept so a failing test can show it (<see cref="Transcript"/>).
/// </summary>
internal sealed class MailNode : IAsyncDisposable
{
    public const string Domain = "home.lan";

    /// <summary>Generous: the AOT node starts in well under a second, the dll under a loaded CI machine in several.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory? _ownedTemp;
    private readonly StringBuilder _transcript = new();
    private readonly Lock _transcriptLock = new();
    private readonly Dictionary<string, string> _extraEnvironment;
    private Process? _process;
    private Task _pumps = Task.CompletedTask;
    private int _generation;

    private MailNode(string dataDirectory, TempDirectory? ownedTemp, Dictionary<string, string> extraEnvironment)
    {
        DataDirectory = dataDirectory;
        _ownedTemp = ownedTemp;
        _extraEnvironment = extraEnvironment;
    }

    public string DataDirectory { get; }

    public int SmtpPort { get; private set; }

    public int SubmissionPort { get; private set; }

    public int ImapPort { get; private set; }

    public Process? Process => _process;

    /// <summary>More arguments for <c>run</c> (e.g. <c>--profile pi-zero-2w</c>), from the next start on.</summary>
    public IReadOnlyList<string> RunArguments { get; set; } = [];

    /// <summary>Extra environment of every command and start (overrides the ports), changeable between starts.</summary>
    public IDictionary<string, string> Environment => _extraEnvironment;

    /// <summary>Every command line run and everything the node printed, in order.</summary>
    public string Transcript
    {
        get
        {
            lock (_transcriptLock)
            {
                return _transcript.ToString();
            }
        }
    }

    /// <summary>
    /// Initialises a node in a fresh temp folder (or in <paramref name="dataDirectory"/>, which the
    /// caller owns) and adds the users (name, password): addresses are name@home.lan.
    /// </summary>
    public static async Task<MailNode> CreateAsync(IEnumerable<(string Name, string Password)> users, IReadOnlyDictionary<string, string>? environment = null, string? dataDirectory = null)
    {
        var temp = dataDirectory is null ? new TempDirectory() : null;
        var node = new MailNode(dataDirectory ?? Path.Combine(temp!.Path, "data"), temp, environment is null ? [] : new Dictionary<string, string>(environment));
        try
        {
            await node.RunCommandAsync(null, "init", "--data", node.DataDirectory, "--domain", Domain, "--hostname", "edge.home.lan");
            foreach (var (name, password) in users)
            {
                await node.RunCommandAsync(password + "\n", "user", "add", name, "--address", $"{name}@{Domain}", "--password-stdin", "--data", node.DataDirectory);
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>Runs one CLI command against this node's data folder; a nonzero exit fails with its output.</summary>
    public async Task<string> RunCommandAsync(string? standardInput, params string[] args)
    {
        Append($"$ epost-edge {string.Join(' ', args)}");
        var (exit, stdout, stderr) = await NodeProcess.RunAsync(NodeEnvironment(), standardInput, CommandTimeout, args);
        Append(stdout);
        Append(stderr);
        if (exit != 0)
        {
            throw new InvalidOperationException($"epost-edge {string.Join(' ', args)} exited with {exit} ({NodeProcess.Describe()}).\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        return stdout;
    }

    /// <summary><c>status --json</c>, parsed.</summary>
    public async Task<JsonDocument> StatusJsonAsync()
    {
        var stdout = await RunCommandAsync(null, "status", "--json", "--data", DataDirectory);
        try
        {
            return JsonDocument.Parse(stdout);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"status --json did not print one JSON object: {e.Message}\n{stdout}", e);
        }
    }

    /// <summary>
    /// Starts <c>run</c> on fresh free ports (a new set on every start, so a killed predecessor's
    /// sockets never matter) and waits until the SMTP, submission and IMAP ports accept connections.
    /// </summary>
    public async Task StartAsync(bool waitUntilListening = true)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("the node is already running");
        }

        var ports = FreePorts.Take(3);
        (SmtpPort, SubmissionPort, ImapPort) = (ports[0], ports[1], ports[2]);
        var environment = NodeEnvironment();
        environment["EPOSTEDGE_Mail__ListenAddress"] = "127.0.0.1";
        environment["EPOSTEDGE_Smtp__Port"] = SmtpPort.ToString(CultureInfo.InvariantCulture);
        environment["EPOSTEDGE_Smtp__SubmissionPort"] = SubmissionPort.ToString(CultureInfo.InvariantCulture);
        environment["EPOSTEDGE_Smtp__ImplicitTlsPort"] = "0";
        environment["EPOSTEDGE_Imap__Port"] = ImapPort.ToString(CultureInfo.InvariantCulture);
        environment["EPOSTEDGE_Imap__ImplicitTlsPort"] = "0";
        foreach (var (name, value) in _extraEnvironment)
        {
            environment[name] = value;
        }

        var generation = ++_generation;
        Append($"$ epost-edge run --data {DataDirectory} {string.Join(' ', RunArguments)}  (start {generation}: smtp {SmtpPort}, submission {SubmissionPort}, imap {ImapPort})");
        var process = NodeProcess.Start(environment, ["run", "--data", DataDirectory, .. RunArguments]);
        _process = process;
        _pumps = Task.WhenAll(Pump(process.StandardOutput, "out"), Pump(process.StandardError, "err"));
        if (waitUntilListening)
        {
            await WaitUntilListeningAsync();
        }
    }

    /// <summary>Waits until every mail port accepts a TCP connection; fails early if the node exits.</summary>
    public async Task WaitUntilListeningAsync()
    {
        var process = _process ?? throw new InvalidOperationException("the node is not running");
        var clock = Stopwatch.StartNew();
        foreach (var port in new[] { SmtpPort, SubmissionPort, ImapPort })
        {
            while (true)
            {
                if (process.HasExited)
                {
                    await _pumps;
                    throw new InvalidOperationException($"the node exited with {process.ExitCode} before port {port} was listening ({NodeProcess.Describe()}).\n{Transcript}");
                }

                if (clock.Elapsed > StartTimeout)
                {
                    throw new TimeoutException($"port {port} was not listening {StartTimeout.TotalSeconds:0} s after start ({NodeProcess.Describe()}).\n{Transcript}");
                }

                if (await CanConnectAsync(port))
                {
                    break;
                }

                await Task.Delay(20);
            }
        }
    }

    /// <summary>SIGKILL: no shutdown code runs (the power-cut model of <see cref="Cli.PowerCutTests"/>).</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await process.WaitForExitAsync();
        await _pumps;
        Append($"(killed; exit {process.ExitCode})");
        process.Dispose();
    }

    /// <summary>SIGTERM, then waits for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is not { } process)
        {
            return 0;
        }

        _process = null;
        _ = NativeSignal.Send(process.Id, NativeSignal.SigTerm);
        using var cts = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await _pumps;
            throw new TimeoutException($"the node did not stop within {CommandTimeout} of SIGTERM.\n{Transcript}");
        }

        await _pumps;
        Append($"(stopped; exit {process.ExitCode})");
        var exit = process.ExitCode;
        process.Dispose();
        return exit;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _ownedTemp?.Dispose();
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private Dictionary<string, string> NodeEnvironment() => new()
    {
        // A test never reads the developer's own config or data folder.
        ["EPOSTEDGE_DATA"] = DataDirectory,
    };

    private async Task Pump(StreamReader reader, string stream)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            Append($"[{stream}] {line}");
        }
    }

    private void Append(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        lock (_transcriptLock)
        {
            _transcript.AppendLine(text.TrimEnd('\n'));
        }
    }
}
