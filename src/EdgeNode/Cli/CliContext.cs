using System.Collections;
using System.Text;
using EPostEdge.EdgeNode.Budgets;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Profiles;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// What the commands use of the world: console streams, the environment, the seams and the
/// mail wiring. <see cref="System"/> is the real one; tests pass strings and fakes.
/// </summary>
internal sealed class CliContext
{
    public required TextReader Input { get; init; }

    public required TextWriter Output { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Standard input as bytes (<c>store put -</c>).</summary>
    public Func<Stream> OpenStandardInput { get; init; } = Console.OpenStandardInput;

    /// <summary>Standard output as bytes (<c>store get</c> without <c>--out</c>).</summary>
    public Func<Stream> OpenStandardOutput { get; init; } = Console.OpenStandardOutput;

    /// <summary>Asks for a secret on the terminal without echo; null when there is no terminal.</summary>
    public required Func<string, string?> ReadSecret { get; init; }

    public required IDictionary Environment { get; init; }

    public required IFileSystem FileSystem { get; init; }

    public required TimeProvider Time { get; init; }

    public required IRandomSource Random { get; init; }

    /// <summary>The mail store and servers; null in a build without them.</summary>
    public IMailWiring? Mail { get; init; }

    /// <summary>What <c>init</c> reads of the board to suggest a hw-profile.</summary>
    public IMachineInfo Machine { get; init; } = LinuxMachineInfo.Instance;

    /// <summary>
    /// Re-executes <c>run</c> with the GC heap limit of its profile; null (tests) never re-executes,
    /// which would replace the test host.
    /// </summary>
    public IProcessImage? ProcessImage { get; init; }

    public static CliContext System() => new()
    {
        Input = Console.In,
        Output = Console.Out,
        Error = Console.Error,
        ReadSecret = ReadSecretFromTerminal,
        Environment = global::System.Environment.GetEnvironmentVariables(),
        FileSystem = new PhysicalFileSystem(),
        Time = TimeProvider.System,
        Random = SystemRandomSource.Instance,
        Mail = new MailServices(),
        ProcessImage = LinuxProcessImage.Instance,
    };

    public string? GetEnvironment(string name) => Environment[name] as string;

    /// <summary>Reads a line from the terminal with echo off (Console.ReadKey intercepts each key).</summary>
    private static string? ReadSecretFromTerminal(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write(prompt);
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0)
                {
                    secret.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return secret.ToString();
    }
}
