using System.CommandLine;
using System.Text.Json;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Cli;

/// <summary><c>epost-edge user add|list</c>: the household's mail users.</summary>
internal static class UserCommands
{
    /// <summary>Shortest password accepted here (the directory may ask for more).</summary>
    public const int MinimumPasswordLength = 8;

    public static Command Build(CliContext context, Option<string> data)
    {
        var user = new Command("user", "The node's mail users.");

        var name = new Argument<string>("name") { Description = "Login name" };
        var addresses = new Option<string[]>("--address", "-a")
        {
            Description = "A mail address of the user in one of the node's domains (repeat for more)",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password as one line of standard input (scripts)" };
        var add = new Command("add", "Add a user: asks for a password (twice, not echoed), stores its Argon2id hash and the user's keys sealed under it.");
        add.Options.Add(data);
        add.Arguments.Add(name);
        add.Options.Add(addresses);
        add.Options.Add(passwordStdin);
        add.SetAction((parse, ct) => AddAsync(context, parse.GetValue(data)!, parse.GetValue(name)!, parse.GetValue(addresses) ?? [], parse.GetValue(passwordStdin), ct));

        var json = new Option<bool>("--json") { Description = "One JSON object: {\"users\":[{\"name\",\"addresses\",\"publicId\"}]}" };
        var list = new Command("list", "List the users and their addresses.");
        list.Options.Add(data);
        list.Options.Add(json);
        list.SetAction(parse => List(context, parse.GetValue(data)!, parse.GetValue(json)));

        user.Subcommands.Add(add);
        user.Subcommands.Add(list);
        return user;
    }

    public static async Task<int> AddAsync(CliContext context, string dataDirectory, string name, IReadOnlyList<string> addresses, bool passwordFromStdin, CancellationToken cancellationToken)
    {
        if (!DataFolder.TryLoad(context, dataDirectory, out var configuration, out var exit))
        {
            return exit;
        }

        foreach (var address in addresses)
        {
            var at = address.LastIndexOf('@');
            var domain = at > 0 && at < address.Length - 1 ? address[(at + 1)..] : null;
            if (domain is null || !configuration.Mail.Domains.Contains(domain, StringComparer.OrdinalIgnoreCase))
            {
                var known = configuration.Mail.Domains.Count == 0 ? "none yet" : string.Join(", ", configuration.Mail.Domains);
                await context.Error.WriteLineAsync($"epost-edge: '{address}' is not an address in this node's domains (Mail:Domains: {known})").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }
        }

        if (context.Mail is not { } mail)
        {
            await context.Error.WriteLineAsync("epost-edge: this build has no mail store; users cannot be added").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        string password;
        if (passwordFromStdin)
        {
            password = await context.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty;
            if (password.Length == 0)
            {
                await context.Error.WriteLineAsync("epost-edge: --password-stdin: no password on standard input").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }
        }
        else
        {
            var first = context.ReadSecret($"password for {name}: ");
            if (first is null)
            {
                await context.Error.WriteLineAsync("epost-edge: no terminal to ask for the password: use --password-stdin").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            if (context.ReadSecret("again: ") != first)
            {
                await context.Error.WriteLineAsync("epost-edge: the two passwords differ; nothing changed").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            password = first;
        }

        if (password.Length < MinimumPasswordLength)
        {
            await context.Error.WriteLineAsync($"epost-edge: a password needs at least {MinimumPasswordLength} characters").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        try
        {
            var record = await mail.OpenUsers(context.FileSystem, dataDirectory).AddUserAsync(name, addresses, password, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"added user {record.Name} <{string.Join(">, <", record.Addresses)}> (id {record.PublicId})").ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (MailboxException ex) when (ex.Kind == MailboxErrorKind.AlreadyExists)
        {
            await context.Error.WriteLineAsync($"epost-edge: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UserError;
        }
        catch (ArgumentException ex)
        {
            await context.Error.WriteLineAsync($"epost-edge: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }
    }

    public static int List(CliContext context, string dataDirectory, bool json)
    {
        if (!DataFolder.TryLoad(context, dataDirectory, out _, out var exit))
        {
            return exit;
        }

        IReadOnlyList<UserRecord> users = context.Mail is { } mail ? mail.OpenUsers(context.FileSystem, dataDirectory).ListUsers() : [];
        if (json)
        {
            context.Output.WriteLine(Render(users));
            return ExitCodes.Ok;
        }

        if (users.Count == 0)
        {
            context.Output.WriteLine(context.Mail is null ? "no users (this build has no mail store)" : "no users yet: epost-edge user add NAME --address NAME@DOMAIN");
        }

        foreach (var user in users.OrderBy(u => u.Name, StringComparer.Ordinal))
        {
            context.Output.WriteLine($"{user.Name,-16} {string.Join(", ", user.Addresses),-40} {user.PublicId}");
        }

        return ExitCodes.Ok;
    }

    public static string Render(IReadOnlyList<UserRecord> users)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("users");
            foreach (var user in users.OrderBy(u => u.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("name", user.Name);
                json.WriteStartArray("addresses");
                foreach (var address in user.Addresses)
                {
                    json.WriteStringValue(address);
                }

                json.WriteEndArray();
                json.WriteString("publicId", user.PublicId);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
