using System.Net;
using System.Text.Json;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.EdgeNode.Tests.Overlay;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary><c>overlay create|status</c>, <c>invite</c>, <c>join</c> in-process: the files they write and the refusals.</summary>
public sealed class OverlayCommandTests
{
    [Fact]
    public async Task Create_writes_a_verifying_membership_and_a_second_create_is_refused()
    {
        using var temp = new TempDirectory();
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("overlay", "create", "--data", temp.Path, "--endpoint", "192.168.1.20:4031"));

        var files = Files(temp.Path);
        var settings = files.ReadSettings();
        using var identity = files.ReadIdentity();
        using var founder = files.ReadFounder();
        Assert.NotNull(founder);
        Assert.Equal(founder.Trust.FoundingKey.ToArray(), settings.FoundingKey.ToArray());
        Assert.Equal(IPEndPoint.Parse("192.168.1.20:4031"), settings.EndPoint);
        Assert.Empty(settings.Bootstraps);
        Assert.True(settings.Trust().Verify(identity.Certificate!, out var why), why);
        Assert.True(identity.Certificate!.MayInvite);
        Assert.Equal(settings.EndPoint, identity.Certificate.EndPoint);
        Assert.Contains(settings.Overlay.ToString(), cli.Output, StringComparison.Ordinal);
        Assert.Contains(identity.Id.ToString(), cli.Output, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.NodeKeyPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.FounderKeyPath));
        }

        var nodeKey = File.ReadAllBytes(files.NodeKeyPath);
        var again = new CliHarness(seed: 12);
        Assert.Equal(ExitCodes.OverlayRefused, await again.RunAsync("overlay", "create", "--data", temp.Path));
        Assert.Contains("already belongs to overlay " + settings.Overlay.ToShortString(), again.Error, StringComparison.Ordinal);
        Assert.Equal(nodeKey, File.ReadAllBytes(files.NodeKeyPath));
    }

    [Fact]
    public async Task Create_takes_the_endpoint_from_the_configuration_and_refuses_a_bad_one()
    {
        using var temp = new TempDirectory();
        var environment = new System.Collections.Hashtable { ["EPOSTEDGE_Overlay__Port"] = "4100" };
        var cli = new CliHarness(environment: environment);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("overlay", "create", "--data", temp.Path));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4100), Files(temp.Path).ReadSettings().EndPoint);
        Assert.Contains("reachable only from this machine", cli.Error, StringComparison.Ordinal);

        using var other = new TempDirectory();
        var bad = new CliHarness();
        Assert.Equal(ExitCodes.BadConfiguration, await bad.RunAsync("overlay", "create", "--data", other.Path, "--endpoint", "pi.home.lan:4031"));
        Assert.Contains("--endpoint: 'pi.home.lan:4031' must be an IP address and port", bad.Error, StringComparison.Ordinal);
        Assert.False(Files(other.Path).HasIdentity);
    }

    [Fact]
    public async Task Invite_needs_an_identity_and_the_invite_right()
    {
        using var temp = new TempDirectory();
        var none = new CliHarness();
        Assert.Equal(ExitCodes.OverlayRefused, await none.RunAsync("invite", "--data", temp.Path));
        Assert.Contains("has no overlay identity", none.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, none.Output);

        // A member certified by the founder without the invite right (what join gives).
        await using var inviter = await InviterFixture.StartAsync(Path.Combine(temp.Path, "a"));
        var member = Path.Combine(temp.Path, "b");
        var joined = new CliHarness(seed: 21);
        Assert.Equal(ExitCodes.Ok, await joined.RunAsync("join", await inviter.InviteAsync(), inviter.EndPoint.ToString(), "--data", member, "--endpoint", "127.0.0.1:4999"));

        var refused = new CliHarness();
        Assert.Equal(ExitCodes.OverlayRefused, await refused.RunAsync("invite", "--data", member));
        Assert.Contains("may not invite", refused.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, refused.Output);
        Assert.False(File.Exists(Files(member).InvitesPath));
    }

    [Fact]
    public async Task Invite_prints_one_token_per_call_and_each_is_pending_in_the_ledger()
    {
        using var temp = new TempDirectory();
        Assert.Equal(ExitCodes.Ok, await new CliHarness().RunAsync("overlay", "create", "--data", temp.Path, "--endpoint", "127.0.0.1:4031"));
        var tokens = new List<InviteToken>();
        for (var i = 0; i < 3; i++)
        {
            var cli = new CliHarness(seed: (ulong)(100 + i));
            Assert.Equal(ExitCodes.Ok, await cli.RunAsync("invite", "--data", temp.Path));
            Assert.True(InviteToken.TryParse(cli.Output.Trim(), out var token), cli.Output);
            Assert.Equal(IPEndPoint.Parse("127.0.0.1:4031"), token.Inviter);
            Assert.Equal(Files(temp.Path).ReadSettings().Overlay, token.Overlay);
            tokens.Add(token);
        }

        Assert.Equal(3, tokens.Select(t => Convert.ToHexString(t.Secret.Span)).Distinct().Count());
        Assert.Equal(3, Files(temp.Path).PendingInvites());
    }

    [Theory]
    [InlineData("epost-invite:AAAA", "127.0.0.1:4031", "is not an invite token")]
    [InlineData("hello", "127.0.0.1:4031", "is not an invite token")]
    [InlineData(null, "127.0.0.1", "bootstrap: '127.0.0.1' is not HOST:PORT")]
    [InlineData(null, "[fd00::1:4031", "bootstrap:")]
    public async Task Join_with_a_bad_token_or_bootstrap_is_refused_and_stores_nothing(string? token, string bootstrap, string expected)
    {
        using var temp = new TempDirectory();
        if (token is null)
        {
            // A well-formed token, so that only the bootstrap is wrong.
            var founder = Path.Combine(temp.Path, "founder");
            Assert.Equal(ExitCodes.Ok, await new CliHarness().RunAsync("overlay", "create", "--data", founder, "--endpoint", "127.0.0.1:4031"));
            var invite = new CliHarness();
            Assert.Equal(ExitCodes.Ok, await invite.RunAsync("invite", "--data", founder));
            token = invite.Output.Trim();
        }

        var data = Path.Combine(temp.Path, "joiner");
        var cli = new CliHarness(seed: 31);
        Assert.Equal(ExitCodes.BadConfiguration, await cli.RunAsync("join", token, bootstrap, "--data", data));
        Assert.Contains(expected, cli.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data, "overlay")));
    }

    [Fact]
    public async Task Join_stores_a_certificate_from_the_inviter_and_the_same_token_is_refused_the_second_time()
    {
        using var temp = new TempDirectory();
        await using var inviter = await InviterFixture.StartAsync(Path.Combine(temp.Path, "a"));
        var token = await inviter.InviteAsync();

        var b = Path.Combine(temp.Path, "b");
        var join = new CliHarness(seed: 41);
        Assert.Equal(ExitCodes.Ok, await join.RunAsync("join", token, inviter.EndPoint.ToString(), "--data", b, "--endpoint", "127.0.0.1:4998"));
        var settings = Files(b).ReadSettings();
        using (var identity = Files(b).ReadIdentity())
        {
            Assert.Equal(inviter.Overlay, settings.Overlay);
            Assert.Equal([inviter.EndPoint.ToString()], settings.Bootstraps);
            Assert.Equal(IPEndPoint.Parse("127.0.0.1:4998"), identity.Certificate!.EndPoint);
            Assert.False(identity.Certificate.MayInvite);
            Assert.True(settings.Trust().Verify(identity.Certificate, out var why), why);
            Assert.Contains(identity.Id.ToString(), join.Output, StringComparison.Ordinal);
        }

        Assert.Null(Files(b).ReadFounder());
        Assert.Equal(0, Files(inviter.DataDirectory).PendingInvites());

        // The same token from another node: the inviter refuses, nothing is stored.
        var c = Path.Combine(temp.Path, "c");
        var second = new CliHarness(seed: 42);
        Assert.Equal(ExitCodes.OverlayRefused, await second.RunAsync("join", token, inviter.EndPoint.ToString(), "--data", c));
        Assert.Contains("the inviter refused: " + Enrollment.UnknownInvite, second.Error, StringComparison.Ordinal);
        Assert.False(Files(c).HasIdentity);
        Assert.False(File.Exists(Files(c).SettingsPath));

        // And b, already a member, does not join again.
        var twice = new CliHarness(seed: 43);
        Assert.Equal(ExitCodes.OverlayRefused, await twice.RunAsync("join", await inviter.InviteAsync(), inviter.EndPoint.ToString(), "--data", b));
        Assert.Contains("already belongs", twice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_gives_up_with_a_clear_error_when_the_inviter_does_not_answer()
    {
        using var temp = new TempDirectory();
        var founder = Path.Combine(temp.Path, "founder");

        // The founder's certificate names a port nobody answers on (bound here, never read).
        await using var silent = await EPostEdge.Overlay.Transport.SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), new EPostEdge.Overlay.Transport.SocketTransportOptions());
        Assert.Equal(ExitCodes.Ok, await new CliHarness().RunAsync("overlay", "create", "--data", founder, "--endpoint", silent.LocalEndPoint.ToString()));
        var invite = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await invite.RunAsync("invite", "--data", founder));

        var time = new FakeTimeProvider();
        var data = Path.Combine(temp.Path, "joiner");
        var cli = new CliHarness(seed: 51, time: time);
        var joining = cli.RunAsync("join", invite.Output.Trim(), silent.LocalEndPoint.ToString(), "--data", data);
        for (var i = 0; i < 4000 && !joining.IsCompleted; i++)
        {
            await Task.Delay(2);
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(ExitCodes.OverlayUnreachable, await joining);
        Assert.Contains($"no answer from the inviter at {silent.LocalEndPoint}", cli.Error, StringComparison.Ordinal);
        Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromSeconds(10));
        Assert.True(silent.Counters.DatagramsReceived >= 3, $"{silent.Counters.DatagramsReceived} requests arrived");
        Assert.False(Files(data).HasIdentity);
    }

    [Fact]
    public async Task Overlay_status_says_not_configured_then_not_running_with_the_ids()
    {
        using var temp = new TempDirectory();
        var before = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await before.RunAsync("overlay", "status", "--data", temp.Path));
        Assert.Contains("overlay:   not configured", before.Output, StringComparison.Ordinal);
        Assert.Contains("node:      not running", before.Output, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, await new CliHarness().RunAsync("overlay", "create", "--data", temp.Path, "--endpoint", "127.0.0.1:4031"));
        var settings = Files(temp.Path).ReadSettings();
        var text = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await text.RunAsync("overlay", "status", "--data", temp.Path));
        Assert.Contains($"overlay:   {settings.Overlay}", text.Output, StringComparison.Ordinal);
        Assert.Contains("joined:    no (the node is not running)", text.Output, StringComparison.Ordinal);
        Assert.Contains("(founder)", text.Output, StringComparison.Ordinal);

        var json = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await json.RunAsync("overlay", "status", "--json", "--data", temp.Path));
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.False(root.GetProperty("running").GetBoolean());
        Assert.True(root.GetProperty("configured").GetBoolean());
        var overlay = root.GetProperty("overlay");
        Assert.Equal(settings.Overlay.ToString(), overlay.GetProperty("overlayId").GetString());
        Assert.Equal("127.0.0.1:4031", overlay.GetProperty("endPoint").GetString());
        Assert.False(overlay.GetProperty("joined").GetBoolean());
        Assert.Equal(0, overlay.GetProperty("leafSet").GetProperty("clockwise").GetArrayLength());
    }

    private static OverlayFiles Files(string data) => new(new PhysicalFileSystem(), data, TimeProvider.System);
}
