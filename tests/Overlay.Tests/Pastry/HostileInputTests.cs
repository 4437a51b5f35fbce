using System.Buffers.Binary;
using System.Collections.Concurrent;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Wire;
using Xunit.Abstractions;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>
/// Issue 4's "forged cert refused" and "garbage flood" acceptance on real loopback sockets: raw
/// frames from a socket that is no node — certificates from another overlay, with a lying id, with
/// a broken signature; no certificate at all; and 50 000 datagrams of garbage and mangled real
/// frames. Nothing may be admitted, answered, or crash a node, and the overlay must route on.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const byte Joined = Frame.SenderJoined;

    [Fact]
    public async Task A_node_certified_by_another_founder_is_refused_and_never_answered()
    {
        var applications = new ConcurrentDictionary<int, RecordingApplication>();
        await using var overlay = await StartAsync(4, seed: 21, applications);
        await using var attacker = await RawPeer.BindAsync();
        await using var member = await RawPeer.BindAsync();

        using var otherFounder = OverlayFounder.Create(new SeededRandomSource(666));
        using var forged = NodeIdentity.Create(new SeededRandomSource(667));
        forged.Certificate = otherFounder.Issue(forged.SigningKey, forged.AgreementKey, attacker.EndPoint, mayInvite: true);
        Assert.False(overlay.Founder.Trust.Verify(forged.Certificate, out _));

        // Positive control: the same raw frames with a certificate of this overlay get a Pong, so
        // the silence below means refusal, not a test that cannot hear answers.
        using var legitimate = NodeIdentity.Create(new SeededRandomSource(668));
        legitimate.Certificate = overlay.Founder.Issue(legitimate.SigningKey, legitimate.AgreementKey, member.EndPoint, mayInvite: false);

        var before = Snapshot(overlay);
        const int Rounds = 3;
        var marker = "forged route"u8.ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var node in overlay.Nodes)
            {
                var certificate = node.Identity.Certificate!;
                var key = forged.DeriveLinkKey(certificate);
                await attacker.SendAsync(node.EndPoint, RawPeer.Hello(forged.Certificate));
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new PingMessage((ulong)round), forged.Id, Joined, forged.Certificate, key));
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(
                    new RouteMessage((ulong)round, node.Id, RecordingApplication.Id, 0, true, forged.Certificate.Handle, marker), forged.Id, Joined, forged.Certificate, key));
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new LeafSetMessage(false, [forged.Certificate.Handle]), forged.Id, Joined, forged.Certificate, key));

                // Without the certificate the sender is simply unknown.
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new PingMessage(99), forged.Id, Joined, null, key));

                await member.SendAsync(node.EndPoint, RawPeer.Authenticated(
                    new PingMessage(1000 + (ulong)round), legitimate.Id, 0, legitimate.Certificate, legitimate.DeriveLinkKey(certificate)));
            }

            await Task.Delay(300);
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // room for any answer, probe or repair to happen
        var after = Snapshot(overlay);
        foreach (var node in overlay.Nodes)
        {
            var (b, a) = (before[node.Index], after[node.Index]);
            Assert.True(a.CertificatesRefused - b.CertificatesRefused >= 4 * Rounds, $"node {node.Index}: {a.CertificatesRefused - b.CertificatesRefused} refused");
            Assert.True(a.UnknownSenders - b.UnknownSenders >= Rounds, $"node {node.Index}: {a.UnknownSenders - b.UnknownSenders} unknown senders");
        }

        AssertNowhere(overlay, forged.Id);
        Assert.Empty(attacker.AuthenticatedFrames());
        Assert.DoesNotContain(applications.Values.SelectMany(app => app.Delivered), d => d.Payload.AsSpan().SequenceEqual(marker));

        var pongs = member.AuthenticatedFrames().Where(f => f.Header.Kind == MessageKind.Pong).ToList();
        Assert.True(pongs.Count >= overlay.Nodes.Count, $"the positive control got {pongs.Count} pongs");
        Assert.True(overlay.LeafSetsCorrect(out var why), why);
        output.WriteLine($"refused {Sum(after, before, c => c.CertificatesRefused)} certificates, {Sum(after, before, c => c.UnknownSenders)} unknown senders; "
            + $"the attacker got {attacker.Received.Count} datagrams back (Hellos asking for its certificate), none authenticated");
    }

    [Fact]
    public async Task Frames_without_a_certificate_and_with_random_MACs_are_dropped()
    {
        await using var overlay = await StartAsync(4, seed: 22);
        await using var attacker = await RawPeer.BindAsync();
        var random = new SeededRandomSource(22);
        var before = Snapshot(overlay);
        var strangers = new List<NodeId>();
        const int PerNode = 10;
        foreach (var node in overlay.Nodes)
        {
            var other = overlay.Nodes[(node.Index + 1) % overlay.Nodes.Count];
            for (var i = 0; i < PerNode; i++)
            {
                var stranger = NodeId.Random(random);
                strangers.Add(stranger);
                var randomKey = random.NextBytes(32);

                // An unknown sender: dropped before any MAC is computed (the node asks it for its certificate).
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new PingMessage(random.NextUInt64()), stranger, Joined, null, randomKey));

                // A known member's id, bare and with its real (public) certificate replayed: the MAC gives it away.
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new LeafSetMessage(false, [new NodeHandle(stranger, attacker.EndPoint)]), other.Id, Joined, null, randomKey));
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new PingMessage(random.NextUInt64()), other.Id, Joined, other.Identity.Certificate, randomKey));
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = Snapshot(overlay);
        foreach (var node in overlay.Nodes)
        {
            var (b, a) = (before[node.Index], after[node.Index]);
            Assert.True(a.UnknownSenders - b.UnknownSenders >= PerNode, $"node {node.Index}: {a.UnknownSenders - b.UnknownSenders} unknown senders");
            Assert.True(a.BadMac - b.BadMac >= 2 * PerNode, $"node {node.Index}: {a.BadMac - b.BadMac} bad MACs");
        }

        foreach (var stranger in strangers)
        {
            AssertNowhere(overlay, stranger);
        }

        Assert.Empty(attacker.AuthenticatedFrames());
        Assert.True(overlay.LeafSetsCorrect(out var why), why);
        output.WriteLine($"unknown senders {Sum(after, before, c => c.UnknownSenders)}, bad MACs {Sum(after, before, c => c.BadMac)}");
    }

    [Fact]
    public async Task Certificates_with_a_lying_id_or_a_broken_signature_are_refused()
    {
        await using var overlay = await StartAsync(4, seed: 23);
        await using var attacker = await RawPeer.BindAsync();
        var victim = overlay.Nodes[1];

        // A certificate signed by this overlay's founder for the attacker's keys but claiming the
        // victim's id (an id must be the hash of the signing key: it cannot be chosen).
        const ulong LiarSeed = 901;
        using var liar = NodeIdentity.Create(new SeededRandomSource(LiarSeed));
        var lying = NodeCertificate.Create(overlay.Founder.Trust.Overlay, liar.SigningKey.Span, liar.AgreementKey.Span, attacker.EndPoint, false, null, overlay.Founder.FoundingPrivateKey, id: victim.Id);
        Assert.False(overlay.Founder.Trust.Verify(lying, out var reason));
        Assert.Contains("hash", reason);
        Assert.Equal(liar.DeriveLinkKey(victim.Identity.Certificate!), RawPeer.LinkKeyAs(LiarSeed, liar.Id, victim.Identity.Certificate!)); // the key helper is right

        // A valid certificate with one signed byte changed: the signature, or the invite flag.
        using var tamperer = NodeIdentity.Create(new SeededRandomSource(902));
        var genuine = overlay.Founder.Issue(tamperer.SigningKey, tamperer.AgreementKey, attacker.EndPoint, mayInvite: false).Encoded.ToArray();
        var tampered = new List<NodeCertificate>();
        foreach (var index in new[] { genuine.Length - 1, genuine.Length - NodeCertificate.SignatureSize, 1 })
        {
            var copy = genuine.ToArray();
            copy[index] ^= index == 1 ? (byte)1 : (byte)0x40;
            Assert.True(NodeCertificate.TryDecode(copy, out var decoded, out _));
            Assert.False(overlay.Founder.Trust.Verify(decoded, out reason));
            Assert.Contains("signature", reason);
            tampered.Add(decoded);
        }

        var victimHandle = victim.Identity.Certificate!.Handle;
        var before = Snapshot(overlay);
        var targets = overlay.Nodes.Where(n => n != victim).ToList();
        foreach (var node in targets)
        {
            var certificate = node.Identity.Certificate!;
            await attacker.SendAsync(node.EndPoint, RawPeer.Hello(lying));
            var liarKey = RawPeer.LinkKeyAs(LiarSeed, victim.Id, certificate);
            await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new PingMessage(1), victim.Id, Joined, lying, liarKey));
            await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new LeafSetMessage(false, [lying.Handle]), victim.Id, Joined, lying, liarKey));
            foreach (var bad in tampered)
            {
                var key = tamperer.DeriveLinkKey(certificate);
                await attacker.SendAsync(node.EndPoint, RawPeer.Hello(bad));
                await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new PingMessage(2), tamperer.Id, Joined, bad, key));
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = Snapshot(overlay);
        foreach (var node in targets)
        {
            var refused = after[node.Index].CertificatesRefused - before[node.Index].CertificatesRefused;
            Assert.True(refused >= 3 + (2 * tampered.Count), $"node {node.Index}: {refused} refused");

            // The victim is still known at its own endpoint, not the attacker's.
            var status = node.Node!.GetStatus();
            var held = status.ClockwiseLeaves.Concat(status.CounterClockwiseLeaves).Concat(status.RoutingTable).Where(n => n.Node.Id == victim.Id).ToList();
            Assert.NotEmpty(held);
            Assert.All(held, n => Assert.Equal(victimHandle, n.Node));
        }

        AssertNowhere(overlay, tamperer.Id);
        Assert.Empty(attacker.AuthenticatedFrames());
        Assert.True(overlay.LeafSetsCorrect(out var why), why);
    }

    [Fact]
    public async Task A_valid_certificate_for_a_known_node_at_another_endpoint_does_not_redirect_it()
    {
        await using var overlay = await StartAsync(4, seed: 24);
        await using var attacker = await RawPeer.BindAsync();
        var victim = overlay.Nodes[1];

        // A genuinely founder-signed certificate for the victim's keys at the attacker's endpoint:
        // what an old certificate (from before the victim moved) replayed by someone else looks like.
        var stale = overlay.Founder.Issue(victim.Identity.SigningKey, victim.Identity.AgreementKey, attacker.EndPoint, mayInvite: false);
        Assert.True(overlay.Founder.Trust.Verify(stale, out _));
        Assert.Equal(victim.Id, stale.Id);
        var targets = overlay.Nodes.Where(n => n != victim).ToList();
        foreach (var node in targets)
        {
            // A Hello offering it, and a frame that includes it but cannot carry the victim's MAC.
            await attacker.SendAsync(node.EndPoint, RawPeer.Hello(stale));
            await attacker.SendAsync(node.EndPoint, RawPeer.Authenticated(new PingMessage(3), victim.Id, Joined, stale, new byte[32]));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var victimHandle = victim.Identity.Certificate!.Handle;
        foreach (var node in targets)
        {
            var status = node.Node!.GetStatus();
            var held = status.ClockwiseLeaves.Concat(status.CounterClockwiseLeaves).Concat(status.RoutingTable).Where(n => n.Node.Id == victim.Id).ToList();
            Assert.NotEmpty(held);
            Assert.All(held, n => Assert.Equal(victimHandle, n.Node));
        }

        Assert.Empty(attacker.AuthenticatedFrames());
        Assert.True(overlay.LeafSetsCorrect(out var why), why);
    }

    [Fact]
    public async Task A_garbage_flood_crashes_nothing_and_the_overlay_routes_on()
    {
        const int Datagrams = 50_000;
        var applications = new ConcurrentDictionary<int, RecordingApplication>();

        // L = 8 with 12 nodes: leaf sets do not cover the ring, so routing uses the tables too.
        await using var overlay = await StartAsync(12, seed: 24, applications, LoopbackOverlay.FastOptions with { LeafSetSize = 8 });
        var repair = overlay.Options.RepairPeriod;
        var valid = CaptureValidFrames(overlay);
        var targets = new[] { overlay.Nodes[1], overlay.Nodes[5], overlay.Nodes[9] };
        await using var first = await RawPeer.BindAsync();
        await using var second = await RawPeer.BindAsync();
        var random = new SeededRandomSource(24);
        var before = Snapshot(overlay);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < Datagrams; i++)
        {
            var datagram = random.NextInt32(10) < 4 ? random.NextBytes(random.NextInt32(1501)) : Mangle(valid[random.NextInt32(valid.Count)], random);
            await (i % 2 == 0 ? first : second).SendAsync(targets[random.NextInt32(targets.Length)].EndPoint, datagram);
            if (i % 250 == 249)
            {
                await Task.Delay(5); // ~50 000 datagrams in a few seconds: a flood, without starving the shared cores outright
            }
        }

        output.WriteLine($"sent {Datagrams} datagrams in {watch.Elapsed.TotalSeconds:F1} s");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = Snapshot(overlay);
        foreach (var node in targets)
        {
            var (b, a) = (before[node.Index], after[node.Index]);
            output.WriteLine($"node {node.Index}: frames {a.FramesReceived - b.FramesReceived}, malformed {a.Malformed - b.Malformed}, bad MAC {a.BadMac - b.BadMac}, "
                + $"certificates refused {a.CertificatesRefused - b.CertificatesRefused}, unknown senders {a.UnknownSenders - b.UnknownSenders}, declared dead {a.DeclaredDead - b.DeclaredDead}");
            Assert.True(a.Malformed > b.Malformed, $"node {node.Index} saw no malformed frame");
        }

        foreach (var node in overlay.Nodes)
        {
            Assert.True(node.Node!.LastFault is null, $"node {node.Index} absorbed an exception: {node.Node.LastFault}");
        }

        var healed = await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), repair * 2);
        Assert.True(overlay.LeafSetsCorrect(out var why), why);
        output.WriteLine($"leaf sets correct {healed!.Value.TotalSeconds:F1} s after the flood");

        await RouteAndCheckAsync(overlay, applications, keysPerNode: 200);
        Assert.All(overlay.Nodes, n => Assert.Null(n.Node!.LastFault));
    }

    private static async Task<LoopbackOverlay> StartAsync(int count, int seed, ConcurrentDictionary<int, RecordingApplication>? applications = null, PastryOptions? options = null)
    {
        var overlay = await LoopbackOverlay.StartAsync(count, options, seed, (node, i) =>
        {
            if (applications is not null)
            {
                var app = new RecordingApplication(node.LocalNode.Id);
                applications[i] = app;
                node.Register(RecordingApplication.Id, app);
            }
        });
        var ready = await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), overlay.Options.RepairPeriod * 2);
        Assert.True(ready is not null, "the overlay never formed");
        return overlay;
    }

    private static Dictionary<int, OverlayCounters> Snapshot(LoopbackOverlay overlay) =>
        overlay.Nodes.ToDictionary(n => n.Index, n => n.Node!.GetStatus().Counters);

    private static long Sum(Dictionary<int, OverlayCounters> after, Dictionary<int, OverlayCounters> before, Func<OverlayCounters, long> counter) =>
        after.Sum(a => counter(a.Value) - counter(before[a.Key]));

    /// <summary>No node holds <paramref name="id"/> in its leaf set or routing table.</summary>
    private static void AssertNowhere(LoopbackOverlay overlay, NodeId id)
    {
        foreach (var node in overlay.Nodes)
        {
            var status = node.Node!.GetStatus();
            var state = status.ClockwiseLeaves.Concat(status.CounterClockwiseLeaves).Concat(status.RoutingTable).Select(n => n.Node.Id);
            Assert.DoesNotContain(id, state);
        }
    }

    /// <summary>Frames the overlay really exchanges: Hellos, and authenticated pings, leaf sets and routed messages between members.</summary>
    private static List<byte[]> CaptureValidFrames(LoopbackOverlay overlay)
    {
        var frames = new List<byte[]>();
        foreach (var from in overlay.Nodes)
        {
            var certificate = from.Identity.Certificate!;
            frames.Add(RawPeer.Hello(certificate));
            frames.Add(RawPeer.Hello(certificate, Frame.SenderJoined));
            foreach (var to in overlay.Nodes.Where(n => n != from).Take(4))
            {
                var key = from.Identity.DeriveLinkKey(to.Identity.Certificate!);
                frames.Add(RawPeer.Authenticated(new PingMessage(7), from.Id, Joined, null, key));
                frames.Add(RawPeer.Authenticated(new PingMessage(8), from.Id, Joined, certificate, key));
                frames.Add(RawPeer.Authenticated(new LeafSetMessage(false, overlay.Nodes.Take(6).Select(n => n.Identity.Certificate!.Handle).ToList()), from.Id, Joined, null, key));
                frames.Add(RawPeer.Authenticated(new RouteMessage(9, to.Id, RecordingApplication.Id, 1, true, certificate.Handle, new byte[40]), from.Id, Joined, null, key));
                frames.Add(RawPeer.Authenticated(new RowRequestMessage(0), from.Id, Joined, null, key));
            }
        }

        return frames;
    }

    /// <summary>A copy of <paramref name="frame"/> with a few bits flipped, or cut short, or both; never the frame itself.</summary>
    private static byte[] Mangle(byte[] frame, IRandomSource random)
    {
        var copy = frame.ToArray();
        var flips = random.NextInt32(9);
        for (var i = 0; i < flips; i++)
        {
            var bit = random.NextInt32(copy.Length * 8);
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        if (random.NextInt32(2) == 0 || copy.AsSpan().SequenceEqual(frame))
        {
            copy = copy[..random.NextInt32(copy.Length)];
        }

        return copy;
    }

    /// <summary>Every node routes <paramref name="keysPerNode"/> random keys; each must reach the key's true root.</summary>
    private async Task RouteAndCheckAsync(LoopbackOverlay overlay, ConcurrentDictionary<int, RecordingApplication> applications, int keysPerNode)
    {
        foreach (var app in applications.Values)
        {
            app.Delivered.Clear();
        }

        var random = new SeededRandomSource(25);
        var sent = new Dictionary<ulong, NodeId>();
        ulong tag = 0;
        for (var i = 0; i < keysPerNode; i++)
        {
            foreach (var node in overlay.Nodes)
            {
                var key = NodeId.Random(random);
                var payload = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(payload, ++tag);
                sent[tag] = overlay.RootOf(key).Id;
                node.Node!.Route(key, RecordingApplication.Id, payload);
            }

            if (i % 4 == 3)
            {
                await Task.Delay(10);
            }
        }

        await LoopbackOverlay.WaitForAsync(() => applications.Values.Sum(a => a.Delivered.Count) >= sent.Count, TimeSpan.FromSeconds(60));
        var delivered = new Dictionary<ulong, NodeId>();
        foreach (var (index, app) in applications)
        {
            foreach (var (_, payload, _, _) in app.Delivered)
            {
                delivered[BinaryPrimitives.ReadUInt64BigEndian(payload)] = overlay.Nodes[index].Id;
            }
        }

        var wrong = sent.Count(s => !delivered.TryGetValue(s.Key, out var at) || at != s.Value);
        output.WriteLine($"{sent.Count} lookups after the flood: {delivered.Count} delivered, {wrong} wrong or missing");
        Assert.Equal(0, wrong);
    }
}
