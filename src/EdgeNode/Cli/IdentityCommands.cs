using System.CommandLine;
using EPostEdge.EdgeNode.Identity;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Cli;

/// <summary><c>epost-edge identity create|show|restore</c>: a user's keys, sealed under a passphrase.</summary>
internal static class IdentityCommands
{
    /// <summary>Where the passphrase comes from when not typed on standard input.</summary>
    public const string PassphraseEnvironmentVariable = "EPOSTEDGE_PASSPHRASE";

    public static Command Build(Option<string> data)
    {
        var user = new Option<string>("--user", "-u") { Description = "User name (the key file is data/keys/USER.epkb)", Required = true };
        var identity = new Command("identity", "A user's signing and encryption keys, sealed under a passphrase (Argon2id).");

        var create = new Command("create", "Create a user's keys and store them sealed under a passphrase.");
        create.Options.Add(data);
        create.Options.Add(user);
        create.SetAction(parse => Run(() =>
        {
            var keys = Files(parse, data).Create(parse.GetValue(user)!, ReadPassphrase(confirm: true), SystemRandomSource.Instance, KeyBackupParameters.Default);
            Print(parse.GetValue(user)!, keys, Files(parse, data).PathOf(parse.GetValue(user)!));
        }));

        var show = new Command("show", "Print a user's public keys (no passphrase needed).");
        show.Options.Add(data);
        show.Options.Add(user);
        show.SetAction(parse => Run(() =>
        {
            var files = Files(parse, data);
            var keys = files.Show(parse.GetValue(user)!) ?? throw new IOException($"no keys for '{parse.GetValue(user)}' in {files.Directory}");
            Print(parse.GetValue(user)!, keys, files.PathOf(parse.GetValue(user)!));
        }));

        var file = new Argument<FileInfo>("backup") { Description = "A key backup file (USER.epkb from the old node or its backup)" };
        var restore = new Command("restore", "Install a user's keys from a backup file; the passphrase is checked first.");
        restore.Options.Add(data);
        restore.Options.Add(user);
        restore.Arguments.Add(file);
        restore.SetAction(parse => Run(() =>
        {
            var files = Files(parse, data);
            var keys = files.Restore(parse.GetValue(user)!, files.ReadBackup(parse.GetValue(file)!.FullName), ReadPassphrase(confirm: false));
            Print(parse.GetValue(user)!, keys, files.PathOf(parse.GetValue(user)!));
        }));

        identity.Subcommands.Add(create);
        identity.Subcommands.Add(show);
        identity.Subcommands.Add(restore);
        return identity;
    }

    private static KeyFiles Files(ParseResult parse, Option<string> data) => new(new PhysicalFileSystem(), parse.GetValue(data)!);

    private static void Print(string user, UserPublicKeys keys, string path)
    {
        Console.WriteLine($"user:       {user}");
        Console.WriteLine($"id:         {keys.Id}");
        Console.WriteLine($"signing:    {Convert.ToHexStringLower(keys.SigningKey)}");
        Console.WriteLine($"encryption: {Convert.ToHexStringLower(keys.AgreementKey)}");
        Console.WriteLine($"key file:   {Path.GetFullPath(path)} (sealed; keep a copy off this node)");
    }

    /// <summary>From <c>EPOSTEDGE_PASSPHRASE</c>, else one line of standard input (twice when creating).</summary>
    private static string ReadPassphrase(bool confirm)
    {
        if (Environment.GetEnvironmentVariable(PassphraseEnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        Console.Error.Write("passphrase: ");
        var passphrase = Console.ReadLine() ?? string.Empty;
        if (confirm)
        {
            Console.Error.Write("again: ");
            if ((Console.ReadLine() ?? string.Empty) != passphrase)
            {
                throw new ArgumentException("the two passphrases differ");
            }
        }

        return passphrase.Length >= 8 || !confirm ? passphrase : throw new ArgumentException("a passphrase needs at least 8 characters");
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or WrongPassphraseException or UnauthorizedAccessException or PostFormatException)
        {
            Console.Error.WriteLine($"epost-edge: {ex.Message}");
            return 1;
        }
    }
}
