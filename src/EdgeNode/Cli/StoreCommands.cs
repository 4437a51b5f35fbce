using System.CommandLine;
using System.Globalization;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge store put|get|put-many|get-many</c>: objects into the distributed store and back
/// out, through the running node's control channel (DATA/run/control.sock). An object's key is
/// the SHA-256 of its bytes, in hex.
/// </summary>
internal static class StoreCommands
{
    public static Command Build(CliContext context, Option<string> data)
    {
        var store = new Command("store", "Put objects into the distributed store and read them back, through the running node.");

        var file = new Argument<string>("file") { Description = "The object's file, or - for standard input", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "-" };
        var put = new Command("put", "Insert one object; prints its key once a majority of its replica set holds it.");
        put.Options.Add(data);
        put.Arguments.Add(file);
        put.SetAction((parse, ct) => PutAsync(context, parse.GetValue(data)!, parse.GetValue(file)!, ct));

        var key = new Argument<string>("key") { Description = "The object's key (64 hex digits)" };
        var output = new Option<string>("--out", "-o") { Description = "Write the object to this file instead of standard output" };
        var get = new Command("get", "Read one object by its key (verified against it).");
        get.Options.Add(data);
        get.Arguments.Add(key);
        get.Options.Add(output);
        get.SetAction((parse, ct) => GetAsync(context, parse.GetValue(data)!, parse.GetValue(key)!, parse.GetValue(output), ct));

        var directory = new Argument<string>("directory") { Description = "Folder whose files are inserted, one object each" };
        var putMany = new Command("put-many", "Insert every file of a folder (pipelined); prints 'KEY REPLICAS NAME' per file.");
        putMany.Options.Add(data);
        putMany.Arguments.Add(directory);
        putMany.SetAction((parse, ct) => PutManyAsync(context, parse.GetValue(data)!, parse.GetValue(directory)!, ct));

        var keys = new Argument<string>("keys") { Description = "File with one key per line (the first word of each line: put-many's output works), or - for standard input" };
        var outDirectory = new Option<string>("--out", "-o") { Description = "Folder to write each object to, named by its key", Required = true };
        var getMany = new Command("get-many", "Read many objects (pipelined) into a folder; prints 'KEY LENGTH' or 'KEY NOTFOUND' per key.");
        getMany.Options.Add(data);
        getMany.Arguments.Add(keys);
        getMany.Options.Add(outDirectory);
        getMany.SetAction((parse, ct) => GetManyAsync(context, parse.GetValue(data)!, parse.GetValue(keys)!, parse.GetValue(outDirectory)!, ct));

        store.Subcommands.Add(put);
        store.Subcommands.Add(get);
        store.Subcommands.Add(putMany);
        store.Subcommands.Add(getMany);
        return store;
    }

    public static async Task<int> PutAsync(CliContext context, string dataDirectory, string file, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            content = file == "-" ? await ReadAllAsync(context.OpenStandardInput(), cancellationToken).ConfigureAwait(false) : ReadFile(context.FileSystem, file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"epost-edge: cannot read {file}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        string? answer = null;
        var exit = await ExchangeAsync(context, dataDirectory, 1, _ => $"PUT {Convert.ToBase64String(content)}", (_, line) => answer = line, cancellationToken).ConfigureAwait(false);
        if (exit != ExitCodes.Ok)
        {
            return exit;
        }

        if (!TryOk(answer!, out var rest))
        {
            await context.Error.WriteLineAsync($"epost-edge: {answer}").ConfigureAwait(false);
            return ExitCodes.StoreFailed;
        }

        var words = rest.Split(' ');
        await context.Output.WriteLineAsync(words[0]).ConfigureAwait(false);
        await context.Error.WriteLineAsync($"stored: {words[1]} replicas confirmed").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    public static async Task<int> GetAsync(CliContext context, string dataDirectory, string key, string? output, CancellationToken cancellationToken)
    {
        if (!ControlProtocol.TryParseKey(key, out var parsed))
        {
            await context.Error.WriteLineAsync($"epost-edge: '{key}' is not a key (64 hex digits)").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        string? answer = null;
        var exit = await ExchangeAsync(context, dataDirectory, 1, _ => $"GET {parsed}", (_, line) => answer = line, cancellationToken).ConfigureAwait(false);
        if (exit != ExitCodes.Ok)
        {
            return exit;
        }

        if (!TryOk(answer!, out var rest))
        {
            await context.Error.WriteLineAsync(answer == ControlProtocol.NotFound ? $"epost-edge: {parsed} not found" : $"epost-edge: {answer}").ConfigureAwait(false);
            return ExitCodes.StoreFailed;
        }

        var content = Convert.FromBase64String(rest);
        if (output is null)
        {
            var stdout = context.OpenStandardOutput();
            await using (stdout.ConfigureAwait(false))
            {
                await stdout.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            WriteFile(context.FileSystem, output, content);
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> PutManyAsync(CliContext context, string dataDirectory, string directory, CancellationToken cancellationToken)
    {
        if (!context.FileSystem.DirectoryExists(directory))
        {
            await context.Error.WriteLineAsync($"epost-edge: no folder {directory}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        var names = context.FileSystem.List(directory);
        var failed = 0;
        var exit = await ExchangeAsync(
            context,
            dataDirectory,
            names.Count,
            i => $"PUT {Convert.ToBase64String(ReadFile(context.FileSystem, Path.Combine(directory, names[i])))}",
            (i, line) =>
            {
                if (TryOk(line, out var rest))
                {
                    context.Output.WriteLine($"{rest} {names[i]}");
                }
                else
                {
                    failed++;
                    context.Error.WriteLine($"epost-edge: {names[i]}: {line}");
                }
            },
            cancellationToken).ConfigureAwait(false);
        return exit != ExitCodes.Ok ? exit : failed > 0 ? ExitCodes.StoreFailed : ExitCodes.Ok;
    }

    public static async Task<int> GetManyAsync(CliContext context, string dataDirectory, string keyFile, string outDirectory, CancellationToken cancellationToken)
    {
        var text = keyFile == "-"
            ? await context.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
            : System.Text.Encoding.ASCII.GetString(ReadFile(context.FileSystem, keyFile));
        var keys = new List<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var word = line.Split(' ', 2)[0];
            if (!ControlProtocol.TryParseKey(word, out var key))
            {
                await context.Error.WriteLineAsync($"epost-edge: '{word}' is not a key (64 hex digits)").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            keys.Add(key.ToString());
        }

        context.FileSystem.CreateDirectory(outDirectory);
        var missing = 0;
        var exit = await ExchangeAsync(
            context,
            dataDirectory,
            keys.Count,
            i => $"GET {keys[i]}",
            (i, line) =>
            {
                if (TryOk(line, out var rest))
                {
                    var content = Convert.FromBase64String(rest);
                    WriteFile(context.FileSystem, Path.Combine(outDirectory, keys[i]), content);
                    context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{keys[i]} {content.Length}"));
                }
                else
                {
                    missing++;
                    context.Output.WriteLine($"{keys[i]} {(line == ControlProtocol.NotFound ? ControlProtocol.NotFound : line)}");
                }
            },
            cancellationToken).ConfigureAwait(false);
        return exit != ExitCodes.Ok ? exit : missing > 0 ? ExitCodes.StoreFailed : ExitCodes.Ok;
    }

    private static async Task<int> ExchangeAsync(CliContext context, string dataDirectory, int count, Func<int, string> request, Action<int, string> onAnswer, CancellationToken cancellationToken)
    {
        var (client, reason) = await ControlClient.TryConnectAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            await context.Error.WriteLineAsync($"epost-edge: {reason}").ConfigureAwait(false);
            return ExitCodes.StoreUnavailable;
        }

        await using (client.ConfigureAwait(false))
        {
            try
            {
                await client.ExchangeAsync(count, request, onAnswer, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (IOException ex)
            {
                await context.Error.WriteLineAsync($"epost-edge: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.StoreUnavailable;
            }
        }
    }

    private static bool TryOk(string answer, out string rest)
    {
        rest = string.Empty;
        if (!answer.StartsWith(ControlProtocol.Ok + " ", StringComparison.Ordinal))
        {
            return false;
        }

        rest = answer[(ControlProtocol.Ok.Length + 1)..];
        return true;
    }

    private static byte[] ReadFile(IFileSystem fileSystem, string path)
    {
        using var handle = fileSystem.Open(path, FileOpenMode.ReadOnly);
        var content = new byte[handle.Length];
        handle.Read(0, content);
        return content;
    }

    private static void WriteFile(IFileSystem fileSystem, string path, byte[] content)
    {
        fileSystem.Delete(path);
        using var handle = fileSystem.Open(path, FileOpenMode.CreateNew);
        handle.Write(0, content);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }
}
