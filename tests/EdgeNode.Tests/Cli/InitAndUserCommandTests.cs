using System.Text.Json;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.EdgeNode.Mail.Users;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary><c>init</c>, <c>user add|list</c>, <c>status</c> and <c>run</c>'s configuration, in-process.</summary>
public sealed class InitAndUserCommandTests
{
    [Fact]
    public async Task Init_creates_key_certificate_and_config_and_a_second_init_changes_nothing()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "data");
        var mail = new MailServices();
        var first = new CliHarness(mail);
        Assert.Equal(ExitCodes.Ok, await first.RunAsync("init", "--data", data, "--domain", "Home.LAN", "--domain", "family.example", "--hostname", "node.home.lan"));
        var nodeKey = File.ReadAllBytes(Path.Combine(data, "node.key"));
        Assert.Equal(32, nodeKey.Length);

        var configPath = NodeConfiguration.PathIn(data);
        var config = File.ReadAllBytes(configPath);
        var certificate = File.ReadAllBytes(TlsCertificate.DefaultCertificatePath(data));
        using (var document = JsonDocument.Parse(config))
        {
            Assert.Equal(["home.lan", "family.example"], document.RootElement.GetProperty("Mail").GetProperty("Domains").EnumerateArray().Select(d => d.GetString()!).ToArray());
            Assert.Equal("node.home.lan", document.RootElement.GetProperty("Smtp").GetProperty("HostName").GetString());
        }

        var second = new CliHarness(mail);
        Assert.Equal(ExitCodes.Ok, await second.RunAsync("init", "--data", data, "--domain", "other.lan"));
        Assert.Contains("already initialised", second.Output, StringComparison.Ordinal);
        Assert.Equal(config, File.ReadAllBytes(configPath));
        Assert.Equal(certificate, File.ReadAllBytes(TlsCertificate.DefaultCertificatePath(data)));
        Assert.Equal(nodeKey, File.ReadAllBytes(Path.Combine(data, "node.key")));

        // And run would start with it.
        Assert.True(RunCommand.TryConfigure(new CliHarness().Context, data, null, out _, out _));
    }

    [Fact]
    public async Task Init_force_replaces_domains_and_certificate_but_keeps_edited_settings()
    {
        using var temp = new TempDirectory();
        Assert.Equal(ExitCodes.Ok, await new CliHarness().RunAsync("init", "--data", temp.Path, "--domain", "home.lan"));
        var path = NodeConfiguration.PathIn(temp.Path);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"Port\": 2525", "\"Port\": 25", StringComparison.Ordinal));
        var certificate = File.ReadAllBytes(TlsCertificate.DefaultCertificatePath(temp.Path));

        Assert.Equal(ExitCodes.Ok, await new CliHarness().RunAsync("init", "--data", temp.Path, "--domain", "new.lan", "--force"));
        var configuration = NodeConfiguration.Load(new Storage.FileSystem.PhysicalFileSystem(), temp.Path, new System.Collections.Hashtable());
        Assert.Equal(["new.lan"], configuration.Mail.Domains);
        Assert.Equal(25, configuration.Smtp.Port);
        Assert.NotEqual(certificate, File.ReadAllBytes(TlsCertificate.DefaultCertificatePath(temp.Path)));
    }

    [Theory]
    [InlineData("--domain", "not a domain")]
    [InlineData("--domain", "a@home.lan")]
    [InlineData("--hostname", "bad host")]
    public async Task Init_refuses_bad_names_with_exit_2(string option, string value)
    {
        using var temp = new TempDirectory();
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.BadConfiguration, await cli.RunAsync("init", "--data", temp.Path, option, value));
        Assert.Contains(value, cli.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(NodeConfiguration.PathIn(temp.Path)));
    }

    [Fact]
    public async Task User_add_reads_the_password_from_stdin_and_list_shows_the_user()
    {
        using var temp = new TempDirectory();
        var mail = new MailServices();
        await new CliHarness(mail).RunAsync("init", "--data", temp.Path, "--domain", "home.lan");

        var add = new CliHarness(mail, input: "correct horse battery\n");
        Assert.Equal(ExitCodes.Ok, await add.RunAsync("user", "add", "alice", "--address", "alice@home.lan", "--address", "a@HOME.lan", "--password-stdin", "--data", temp.Path));
        var users = OpenUsers(temp.Path);
        Assert.NotNull(await users.VerifyPasswordAsync("alice", "correct horse battery"));
        Assert.Null(await users.VerifyPasswordAsync("alice", "wrong horse battery"));
        Assert.Equal(["alice@home.lan", "a@home.lan"], users.Find("alice")!.Addresses);
        Assert.Contains("added user alice", add.Output, StringComparison.Ordinal);

        var list = new CliHarness(mail);
        Assert.Equal(ExitCodes.Ok, await list.RunAsync("user", "list", "--json", "--data", temp.Path));
        using var document = JsonDocument.Parse(list.Output);
        var user = document.RootElement.GetProperty("users").EnumerateArray().Single();
        Assert.Equal("alice", user.GetProperty("name").GetString());
        Assert.Equal(users.Find("alice")!.PublicId, user.GetProperty("publicId").GetString());
        Assert.Equal(64, user.GetProperty("publicId").GetString()!.Length);

        var again = new CliHarness(mail, input: "another password\n");
        Assert.Equal(ExitCodes.UserError, await again.RunAsync("user", "add", "alice", "--address", "alice@home.lan", "--password-stdin", "--data", temp.Path));
        Assert.Contains("exists already", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_add_asks_twice_on_the_terminal()
    {
        using var temp = new TempDirectory();
        var mail = new MailServices();
        await new CliHarness(mail).RunAsync("init", "--data", temp.Path, "--domain", "home.lan");

        var differ = new CliHarness(mail, secrets: new Queue<string?>(["password one", "password two"]));
        Assert.Equal(ExitCodes.BadConfiguration, await differ.RunAsync("user", "add", "bob", "--address", "bob@home.lan", "--data", temp.Path));
        Assert.Contains("the two passwords differ", differ.Error, StringComparison.Ordinal);

        var noTerminal = new CliHarness(mail);
        Assert.Equal(ExitCodes.BadConfiguration, await noTerminal.RunAsync("user", "add", "bob", "--address", "bob@home.lan", "--data", temp.Path));
        Assert.Contains("use --password-stdin", noTerminal.Error, StringComparison.Ordinal);

        var same = new CliHarness(mail, secrets: new Queue<string?>(["password one", "password one"]));
        Assert.Equal(ExitCodes.Ok, await same.RunAsync("user", "add", "bob", "--address", "bob@home.lan", "--data", temp.Path));
        var users = OpenUsers(temp.Path);
        Assert.Equal(["bob"], users.ListUsers().Select(u => u.Name));
        Assert.NotNull(await users.VerifyPasswordAsync("bob", "password one"));
    }

    [Fact]
    public async Task User_add_refuses_foreign_addresses_short_passwords_and_missing_init()
    {
        using var temp = new TempDirectory();
        var mail = new MailServices();
        var uninitialised = new CliHarness(mail, input: "long enough password\n");
        Assert.Equal(ExitCodes.NotInitialised, await uninitialised.RunAsync("user", "add", "carol", "--address", "carol@home.lan", "--password-stdin", "--data", temp.Path));
        Assert.Contains("run epost-edge init first", uninitialised.Error, StringComparison.Ordinal);

        await new CliHarness(mail).RunAsync("init", "--data", temp.Path, "--domain", "home.lan");
        var foreign = new CliHarness(mail, input: "long enough password\n");
        Assert.Equal(ExitCodes.BadConfiguration, await foreign.RunAsync("user", "add", "carol", "--address", "carol@example.org", "--password-stdin", "--data", temp.Path));
        Assert.Contains("not an address in this node's domains (Mail:Domains: home.lan)", foreign.Error, StringComparison.Ordinal);

        var shortPassword = new CliHarness(mail, input: "short\n");
        Assert.Equal(ExitCodes.BadConfiguration, await shortPassword.RunAsync("user", "add", "carol", "--address", "carol@home.lan", "--password-stdin", "--data", temp.Path));

        var noAddress = new CliHarness(mail, input: "long enough password\n");
        Assert.NotEqual(ExitCodes.Ok, await noAddress.RunAsync("user", "add", "carol", "--password-stdin", "--data", temp.Path));
        Assert.Empty(OpenUsers(temp.Path).ListUsers());
    }

    [Fact]
    public async Task Status_json_without_a_running_node_opens_the_store_itself()
    {
        using var temp = new TempDirectory();
        var mail = new MailServices();
        var uninitialised = new CliHarness(mail);
        Assert.Equal(ExitCodes.NotInitialised, await uninitialised.RunAsync("status", "--data", temp.Path));

        await new CliHarness(mail).RunAsync("init", "--data", temp.Path, "--domain", "home.lan");
        var status = new CliHarness(mail, environment: new System.Collections.Hashtable { ["EPOSTEDGE_Store__Quota"] = "1M" });
        Assert.Equal(ExitCodes.Ok, await status.RunAsync("status", "--json", "--data", temp.Path));
        using var document = JsonDocument.Parse(status.Output);
        var root = document.RootElement;
        Assert.False(root.GetProperty("running").GetBoolean());
        Assert.Equal(0, root.GetProperty("store").GetProperty("blocks").GetInt32());
        Assert.Equal(1 << 20, root.GetProperty("store").GetProperty("quotaBytes").GetInt64());
        Assert.Equal(0, root.GetProperty("mail").GetProperty("users").GetInt32());
        Assert.Equal(0, root.GetProperty("mail").GetProperty("messages").GetInt64());
        Assert.Equal(0, root.GetProperty("mail").GetProperty("outboundQueue").GetInt32());
    }

    [Fact]
    public async Task Status_while_a_node_holds_the_lock_reads_its_status_file()
    {
        using var temp = new TempDirectory();
        await new CliHarness().RunAsync("init", "--data", temp.Path, "--domain", "home.lan");
        var written = new NodeStatus
        {
            Running = true,
            DataDirectory = temp.Path,
            Pid = 4242,
            StartedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
            Blocks = 12,
            UsedBytes = 3456,
            Mail = new MailStatus(3, 40, 1),
            Listening = [new ListeningPort("smtp", "127.0.0.1", 2525, false), new ListeningPort("imaps", "127.0.0.1", 1993, true)],
            ManagedHeapBytes = 6_000_000,
            GcCommittedBytes = 9_000_000,
            Threads = 3,
        };
        Directory.CreateDirectory(Path.Combine(temp.Path, "run"));
        File.WriteAllBytes(Path.Combine(temp.Path, "run", "status.json"), NodeStatusJson.Render(written));

        using var node = NodeLock.TryAcquire(temp.Path);
        Assert.NotNull(node);
        Assert.Null(NodeLock.TryAcquire(temp.Path)); // one holder at a time

        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("status", "--json", "--data", temp.Path));
        var read = NodeStatusJson.Read(System.Text.Encoding.UTF8.GetBytes(cli.Output));
        Assert.Equal(written, read with { Listening = written.Listening });
        Assert.Equal(written.Listening, read.Listening);

        var text = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await text.RunAsync("status", "--data", temp.Path));
        Assert.Contains("running (pid 4242", text.Output, StringComparison.Ordinal);
        Assert.Contains("listen:   imaps 127.0.0.1 port 1993 (implicit TLS)", text.Output, StringComparison.Ordinal);
        Assert.Contains("memory:   managed heap 6000000 bytes, GC committed 9000000 bytes, 3 thread-pool threads", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_configuration_takes_the_quota_option_over_environment_and_file()
    {
        using var temp = new TempDirectory();
        await new CliHarness().RunAsync("init", "--data", temp.Path, "--domain", "home.lan");
        var path = NodeConfiguration.PathIn(temp.Path);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"Quota\": \"\"", "\"Quota\": \"1G\"", StringComparison.Ordinal));

        var environment = new System.Collections.Hashtable { ["EPOSTEDGE_Store__Quota"] = "2G" };
        Assert.True(RunCommand.TryConfigure(new CliHarness().Context, temp.Path, null, out var fromFile, out _));
        Assert.Equal("1G", fromFile.Store.Quota);
        Assert.True(RunCommand.TryConfigure(new CliHarness(environment: environment).Context, temp.Path, null, out var fromEnvironment, out _));
        Assert.Equal("2G", fromEnvironment.Store.Quota);
        Assert.True(RunCommand.TryConfigure(new CliHarness(environment: environment).Context, temp.Path, "3G", out var fromOption, out _));
        Assert.Equal("3G", fromOption.Store.Quota);

        var bad = new CliHarness(environment: new System.Collections.Hashtable { ["EPOSTEDGE_Smtp__Port"] = "1143", ["EPOSTEDGE_Imap__Port"] = "1143" });
        Assert.False(RunCommand.TryConfigure(bad.Context, temp.Path, null, out _, out var exit));
        Assert.Equal(ExitCodes.BadConfiguration, exit);
        Assert.Contains("Imap:Port and Smtp:Port are both 1143", bad.Error, StringComparison.Ordinal);
    }

    private static UserDirectory OpenUsers(string data) =>
        UserDirectory.Open(new Storage.FileSystem.PhysicalFileSystem(), data, new EPostEdge.Overlay.Seams.SeededRandomSource(5));
}
