using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Transport;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge overlay create|status</c>, <c>invite</c> and <c>join</c>: founding an overlay,
/// inviting a friend's node into it, and joining one. The membership lives in DATA/overlay
/// (<see cref="OverlayFiles"/>); the running node picks it up at its next start.
/// </summary>
internal static class OverlayCommands
{
    public static Command BuildOverlay(CliContext context, Option<string> data)
    {
        var overlay = new Command("overlay", "This node's Pastry overlay: found one, or see its state.");

        var endpoint = EndPointOption();
        var create = new Command("create", "Found a new overlay: a founding key, this node's identity and a certificate with the invite right.");
        create.Options.Add(data);
        create.Options.Add(endpoint);
        create.SetAction(parse => Create(context, parse.GetValue(data)!, parse.GetValue(endpoint)));

        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys in README)" };
        var status = new Command("status", "This node's overlay: ids, endpoint, joined, leaf set with RTTs, routing table fill, counters.");
        status.Options.Add(data);
        status.Options.Add(json);
        status.SetAction(parse => Status(context, parse.GetValue(data)!, parse.GetValue(json)));

        overlay.Subcommands.Add(create);
        overlay.Subcommands.Add(status);
        return overlay;
    }

    public static Command BuildInvite(CliContext context, Option<string> data)
    {
        var invite = new Command("invite", "Print a one-time invite token for another node (works while the node runs).");
        invite.Options.Add(data);
        invite.SetAction(parse => Invite(context, parse.GetValue(data)!));
        return invite;
    }

    public static Command BuildJoin(CliContext context, Option<string> data)
    {
        var token = new Argument<string>("token") { Description = "The invite token (epost-invite:...) from the inviting node's epost-edge invite" };
        var bootstrap = new Argument<string>("bootstrap") { Description = "HOST:PORT of an overlay member to join through (usually the inviter)" };
        var endpoint = EndPointOption();
        var join = new Command("join", "Join an overlay with an invite: get this node certified by the inviter and remember whom to join through.");
        join.Options.Add(data);
        join.Arguments.Add(token);
        join.Arguments.Add(bootstrap);
        join.Options.Add(endpoint);
        join.SetAction((parse, ct) => JoinAsync(context, parse.GetValue(data)!, parse.GetValue(token)!, parse.GetValue(bootstrap)!, parse.GetValue(endpoint), ct));
        return join;
    }

    public static int Create(CliContext context, string dataDirectory, string? endpointOption)
    {
        if (!TryLoad(context, dataDirectory, out var configuration, out var files, out var exit)
            || !TryEndPoint(context, configuration, endpointOption, out var endPoint, out exit))
        {
            return exit;
        }

        if (files.HasIdentity)
        {
            return AlreadyMember(context, files);
        }

        using var founder = OverlayFounder.Create(context.Random);
        using var identity = NodeIdentity.Create(context.Random);
        identity.Certificate = founder.Issue(identity.SigningKey, identity.AgreementKey, endPoint, mayInvite: true);
        var settings = new OverlaySettings(founder.Trust.FoundingKey, endPoint, []);

        // node.key last: its presence is what makes the membership complete (OverlayFiles.HasIdentity).
        files.WriteFounder(founder);
        files.WriteSettings(settings);
        files.WriteIdentity(identity);

        context.Output.WriteLine($"created overlay {settings.Overlay}");
        context.Output.WriteLine($"  this node:    {identity.Id} at {endPoint} (may invite)");
        context.Output.WriteLine($"  founding key: {files.FounderKeyPath} (secret: keep a copy off this node; whoever holds it can admit nodes)");
        WarnAboutEndPoint(context, configuration, endPoint);
        context.Output.WriteLine($"next: epost-edge run --data {dataDirectory} (restart it if it runs), then epost-edge invite --data {dataDirectory} for each node to add");
        return ExitCodes.Ok;
    }

    public static int Invite(CliContext context, string dataDirectory)
    {
        if (!TryLoad(context, dataDirectory, out _, out var files, out var exit))
        {
            return exit;
        }

        if (!files.HasIdentity)
        {
            return NotMember(context);
        }

        try
        {
            var settings = files.ReadSettings();
            using var identity = files.ReadIdentity();
            using var founder = files.ReadFounder();
            var trust = settings.Trust();
            if (identity.Certificate is not { } certificate || !OverlayService.CanInvite(founder, certificate))
            {
                context.Error.WriteLine("epost-edge: this node may not invite: it holds neither the overlay's founding key nor a founder-signed certificate with the invite right (ask the node that created the overlay for an invite instead)");
                return ExitCodes.OverlayRefused;
            }

            var token = files.UpdateInvites(ledger => ledger.Create(certificate, trust, context.Random));
            context.Output.WriteLine(token.ToString());
            context.Error.WriteLine($"one-time invite to overlay {settings.Overlay.ToShortString()}: on the new node run  epost-edge join TOKEN {certificate.EndPoint}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            context.Error.WriteLine($"epost-edge: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    public static async Task<int> JoinAsync(CliContext context, string dataDirectory, string tokenText, string bootstrap, string? endpointOption, CancellationToken cancellationToken)
    {
        if (!TryLoad(context, dataDirectory, out var configuration, out var files, out var exit))
        {
            return exit;
        }

        if (!InviteToken.TryParse(tokenText, out var token))
        {
            await context.Error.WriteLineAsync($"epost-edge: '{Shorten(tokenText)}' is not an invite token (it starts with {InviteToken.Prefix}; copy it whole from the inviting node's epost-edge invite)").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        if (!HostPort.TrySplit(bootstrap, out _, out _, out var bootstrapError))
        {
            await context.Error.WriteLineAsync($"epost-edge: bootstrap: {bootstrapError}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        if (!TryEndPoint(context, configuration, endpointOption, out var endPoint, out exit))
        {
            return exit;
        }

        if (files.HasIdentity)
        {
            return AlreadyMember(context, files);
        }

        using var identity = NodeIdentity.Create(context.Random);
        var request = EnrollRequest.Create(identity, token.Secret, endPoint);
        EnrollReply? reply;
        var client = default(EnrollmentClient);
        try
        {
            // An ephemeral port: the node (if running) keeps Overlay:Port; the reply comes back here.
            var local = new IPEndPoint(token.Inviter.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            await using var transport = await SocketTransport.BindAsync(local, new SocketTransportOptions { TimeProvider = context.Time }, cancellationToken).ConfigureAwait(false);
            client = new EnrollmentClient(transport, context.Time);
            reply = await client.EnrollAsync(token.Inviter, request, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            await context.Error.WriteLineAsync($"epost-edge: cannot reach the inviter at {token.Inviter}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.OverlayUnreachable;
        }

        if (reply is null)
        {
            await context.Error.WriteLineAsync(
                $"epost-edge: no answer from the inviter at {token.Inviter} (named in the token) after {client!.Transmissions} tries in {client.Timeout.TotalSeconds:0} s: is its node running (epost-edge run) and its overlay port reachable from here (UDP {token.Inviter.Port})?").ConfigureAwait(false);
            return ExitCodes.OverlayUnreachable;
        }

        if (reply.Certificate is not { } certificate)
        {
            await context.Error.WriteLineAsync($"epost-edge: the inviter refused: {reply.Refusal}").ConfigureAwait(false);
            return ExitCodes.OverlayRefused;
        }

        // Trust nothing the network said: the certificate must be for our keys and endpoint and
        // chain to the founding key the token named.
        var trust = new OverlayTrust(token.FoundingKey);
        if (certificate.Id != identity.Id || !certificate.EndPoint.Equals(endPoint) || !trust.Verify(certificate, out var reason))
        {
            await context.Error.WriteLineAsync($"epost-edge: the inviter's answer is not a valid certificate for this node in overlay {token.Overlay.ToShortString()}{(certificate.Id == identity.Id ? string.Empty : " (it is for another node)")}; nothing was stored").ConfigureAwait(false);
            return ExitCodes.OverlayRefused;
        }

        identity.Certificate = certificate;
        var settings = new OverlaySettings(token.FoundingKey, endPoint, [bootstrap.Trim()]);
        files.WriteSettings(settings);
        files.WriteIdentity(identity);

        await context.Output.WriteLineAsync($"joined overlay {settings.Overlay}").ConfigureAwait(false);
        await context.Output.WriteLineAsync($"  this node:  {identity.Id} at {endPoint}{(certificate.Issuer is { } issuer ? $" (certified by member {issuer.Id.ToShortString()})" : " (certified by the founder)")}").ConfigureAwait(false);
        await context.Output.WriteLineAsync($"  bootstrap:  {bootstrap.Trim()}").ConfigureAwait(false);
        WarnAboutEndPoint(context, configuration, endPoint);
        await context.Output.WriteLineAsync($"next: epost-edge run --data {dataDirectory} (restart it if it runs): it joins the overlay through {bootstrap.Trim()}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    public static int Status(CliContext context, string dataDirectory, bool json)
    {
        if (!TryLoad(context, dataDirectory, out _, out var files, out var exit))
        {
            return exit;
        }

        var running = NodeLock.IsHeld(dataDirectory);
        OverlayNodeStatus? overlay;
        try
        {
            overlay = running ? ReadRunning(context, dataDirectory) ?? Offline(files) : Offline(files);
        }
        catch (InvalidDataException e)
        {
            context.Error.WriteLine($"epost-edge: {e.Message}");
            return ExitCodes.Failure;
        }

        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteBoolean("running", running);
                writer.WriteString("dataDirectory", Path.GetFullPath(dataDirectory));
                writer.WriteBoolean("configured", overlay is not null);
                if (overlay is null)
                {
                    writer.WriteNull("overlay");
                }
                else
                {
                    writer.WritePropertyName("overlay");
                    OverlayStatusJson.Write(writer, overlay);
                }

                writer.WriteEndObject();
            }

            context.Output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            return ExitCodes.Ok;
        }

        context.Output.WriteLine($"node:      {(running ? "running" : "not running: epost-edge run starts it")}");
        if (overlay is null)
        {
            context.Output.WriteLine("overlay:   not configured (epost-edge overlay create founds one; epost-edge join TOKEN HOST:PORT joins one)");
            return ExitCodes.Ok;
        }

        Print(context.Output, overlay, running);
        return ExitCodes.Ok;
    }

    /// <summary>The overlay part of <c>status</c> from the files alone (no node running): ids and endpoint, nothing live.</summary>
    /// <exception cref="InvalidDataException">The membership files are unreadable.</exception>
    public static OverlayNodeStatus? Offline(OverlayFiles files)
    {
        if (!files.HasIdentity)
        {
            return null;
        }

        var settings = files.ReadSettings();
        using var identity = files.ReadIdentity();
        var certificate = identity.Certificate ?? throw new InvalidDataException($"{files.NodeKeyPath} holds no certificate");
        return new OverlayNodeStatus(identity.Id, settings.Overlay, certificate.EndPoint, files.HasFounder, files.HasFounder || (certificate.MayInvite && certificate.Issuer is null), null);
    }

    /// <summary>One line per fact; the leaf set as the paper draws it, counter-clockwise side first.</summary>
    public static void Print(TextWriter output, OverlayNodeStatus overlay, bool nodeRunning)
    {
        var live = overlay.Live;
        output.WriteLine($"overlay:   {overlay.Overlay}");
        output.WriteLine($"this node: {overlay.Node} at {overlay.EndPoint}{(overlay.Founder ? " (founder)" : overlay.MayInvite ? " (may invite)" : string.Empty)}");
        if (live is null)
        {
            output.WriteLine(nodeRunning ? "joined:    unknown (the node has not written its status yet, or runs without the overlay: restart it)" : "joined:    no (the node is not running)");
            return;
        }

        output.WriteLine($"joined:    {(live.Joined ? "yes" : "not yet (joining through the bootstraps)")}, up {live.Uptime.TotalSeconds:0} s");
        var leaves = live.CounterClockwiseLeaves.Select(n => ("ccw", n)).Concat(live.ClockwiseLeaves.Select(n => ("cw ", n))).ToList();
        // In a small overlay one node is the neighbour on both sides (Pastry §2.1: L/2 each way).
        var distinct = leaves.Select(l => l.n.Node.Id).Distinct().Count();
        output.WriteLine($"leaf set:  {distinct} node{(distinct == 1 ? string.Empty : "s")} ({live.CounterClockwiseLeaves.Count} counter-clockwise, {live.ClockwiseLeaves.Count} clockwise)");
        foreach (var (side, n) in leaves)
        {
            var rtt = n.RoundTrip is { } r ? $"{r.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms" : "rtt ?";
            var via = n.Relay is { } relay ? $"  via {relay.Id.ToShortString()}" : string.Empty;
            var failed = n.FailedRounds > 0 ? $"  {n.FailedRounds} failed round{(n.FailedRounds == 1 ? string.Empty : "s")}" : string.Empty;
            var around = n.RoutedAround ? "  routed around" : string.Empty;
            output.WriteLine($"  {side} {n.Node.Id.ToShortString()}  {n.Node.EndPoint,-22} {rtt,9}{via}{failed}{around}");
        }

        var total = live.TableFillByRow.Sum();
        output.WriteLine($"table:     {total} entr{(total == 1 ? "y" : "ies")}; by row {(live.TableFillByRow.Count == 0 ? "-" : string.Join(' ', live.TableFillByRow))}");
        var c = live.Counters;
        output.WriteLine($"sent:      {c.FramesSent} frames, {c.BytesSent} bytes ({c.MaintenanceBytesSent} maintenance)");
        output.WriteLine($"received:  {c.FramesReceived} frames, {c.BytesReceived} bytes ({c.MaintenanceBytesReceived} maintenance)");
        output.WriteLine($"refused:   {c.Malformed} malformed, {c.BadMac} bad MAC, {c.CertificatesRefused} certificates refused");
        output.WriteLine($"failures:  {c.DeclaredDead} declared dead ({live.RecentlyDead} still probed), {c.RouteFailures} route failures");
    }

    private static OverlayNodeStatus? ReadRunning(CliContext context, string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "run", "status.json");
        try
        {
            if (!context.FileSystem.FileExists(path))
            {
                return null;
            }

            using var file = context.FileSystem.Open(path, Storage.FileSystem.FileOpenMode.ReadOnly);
            var bytes = new byte[file.Length];
            file.Read(0, bytes);
            return NodeStatusJson.Read(bytes).Overlay;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            return null; // starting, or just stopped: fall back to the files
        }
    }

    private static Option<string?> EndPointOption() => new("--endpoint")
    {
        Description = "IP:PORT where other nodes reach this node's overlay port, written into its certificate (default: Overlay:EndPoint, else 127.0.0.1:Overlay:Port)",
    };

    private static bool TryLoad(CliContext context, string dataDirectory, out NodeConfiguration configuration, out OverlayFiles files, out int exitCode)
    {
        // The overlay commands work on a folder not yet initialised (run initialises it later):
        // the file is read when it is there, the environment always.
        files = new OverlayFiles(context.FileSystem, dataDirectory, context.Time);
        exitCode = ExitCodes.Ok;
        try
        {
            configuration = NodeConfiguration.Load(context.FileSystem, dataDirectory, context.Environment);
            return true;
        }
        catch (InvalidDataException ex)
        {
            context.Error.WriteLine($"epost-edge: {ex.Message}");
            configuration = new NodeConfiguration();
            exitCode = ExitCodes.BadConfiguration;
            return false;
        }
    }

    private static bool TryEndPoint(CliContext context, NodeConfiguration configuration, string? option, out IPEndPoint endPoint, out int exitCode)
    {
        exitCode = ExitCodes.Ok;
        IPEndPoint? chosen;
        string? error;
        if (option is not null)
        {
            HostPort.TryParseAddress(option, out chosen, out error);
            error = error is null ? null : $"--endpoint: {error}";
        }
        else
        {
            chosen = configuration.OverlayEndPoint(out error);
        }

        if (chosen is null)
        {
            context.Error.WriteLine($"epost-edge: {error}");
            endPoint = new IPEndPoint(IPAddress.Loopback, 0);
            exitCode = ExitCodes.BadConfiguration;
            return false;
        }

        endPoint = chosen;
        return true;
    }

    private static void WarnAboutEndPoint(CliContext context, NodeConfiguration configuration, IPEndPoint endPoint)
    {
        if (IPAddress.IsLoopback(endPoint.Address))
        {
            context.Error.WriteLine($"epost-edge: warning: {endPoint} is reachable only from this machine; for nodes in other houses use --endpoint (or Overlay:EndPoint) with an address they can reach");
        }

        if (endPoint.Port != configuration.Overlay.Port)
        {
            context.Error.WriteLine($"epost-edge: warning: the certificate says port {endPoint.Port} but the node listens on Overlay:Port = {configuration.Overlay.Port}: set Overlay:Port to match unless a port forward maps one to the other");
        }
    }

    private static int AlreadyMember(CliContext context, OverlayFiles files)
    {
        var overlay = "an overlay";
        try
        {
            overlay = $"overlay {files.ReadSettings().Overlay.ToShortString()}";
        }
        catch (InvalidDataException)
        {
            // Say what we can.
        }

        context.Error.WriteLine($"epost-edge: this node already belongs to {overlay} ({files.NodeKeyPath} exists); nothing changed. A node has one overlay identity: move DATA/overlay away first to start over.");
        return ExitCodes.OverlayRefused;
    }

    private static int NotMember(CliContext context)
    {
        context.Error.WriteLine("epost-edge: this node has no overlay identity: run epost-edge overlay create (a new overlay) or epost-edge join TOKEN HOST:PORT (an invite) first");
        return ExitCodes.OverlayRefused;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
