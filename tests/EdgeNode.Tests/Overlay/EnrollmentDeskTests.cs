using System.Net;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.EdgeNode.Tests.Cli;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Overlay;

/// <summary>The running node's enrollment answers over the ledger file.</summary>
public sealed class EnrollmentDeskTests
{
    [Fact]
    public async Task A_retransmitted_request_gets_the_same_certificate_and_another_joiner_is_refused()
    {
        using var temp = new TempDirectory();
        var (files, identity, founder) = await FoundAsync(temp.Path);
        using (identity)
        using (founder)
        {
            var time = new FakeTimeProvider();
            var desk = new EnrollmentDesk(files, founder, identity, time, NullLogger.Instance);
            var token = files.UpdateInvites(l => l.Create(identity.Certificate!, founder!.Trust, new SeededRandomSource(3)));
            using var joiner = NodeIdentity.Create(new SeededRandomSource(4));
            var request = EnrollRequest.Create(joiner, token.Secret, IPEndPoint.Parse("127.0.0.1:4999")).Encode();

            var first = desk.Answer(request);
            Assert.True(EnrollReply.TryDecode(first, out var reply));
            Assert.Equal(joiner.Id, reply.Certificate!.Id);
            Assert.Equal(0, files.PendingInvites());

            // The reply was lost; the joiner sends the same bytes again.
            time.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(first, desk.Answer(request));

            using var other = NodeIdentity.Create(new SeededRandomSource(5));
            Assert.True(EnrollReply.TryDecode(desk.Answer(EnrollRequest.Create(other, token.Secret, IPEndPoint.Parse("127.0.0.1:4998")).Encode()), out var refused));
            Assert.Equal(Enrollment.UnknownInvite, refused.Refusal);

            // Past the memory, the spent invite is spent for everyone.
            time.Advance(EnrollmentDesk.Memory);
            Assert.True(EnrollReply.TryDecode(desk.Answer(request), out var late));
            Assert.Equal(Enrollment.UnknownInvite, late.Refusal);
        }
    }

    [Fact]
    public async Task Garbage_gets_no_answer_and_an_invite_made_after_start_is_honoured()
    {
        using var temp = new TempDirectory();
        var (files, identity, founder) = await FoundAsync(temp.Path);
        using (identity)
        using (founder)
        {
            var desk = new EnrollmentDesk(files, founder, identity, TimeProvider.System, NullLogger.Instance);
            Assert.Null(desk.Answer("not a request"u8.ToArray()));
            Assert.Null(desk.Answer(ReadOnlyMemory<byte>.Empty));

            // The CLI's invite, another process's write, after the desk was made: read per request.
            var cli = new CliHarness(seed: 6);
            Assert.Equal(ExitCodes.Ok, await cli.RunAsync("invite", "--data", temp.Path));
            Assert.True(InviteToken.TryParse(cli.Output, out var token));
            using var joiner = NodeIdentity.Create(new SeededRandomSource(7));
            Assert.True(EnrollReply.TryDecode(desk.Answer(EnrollRequest.Create(joiner, token.Secret, IPEndPoint.Parse("127.0.0.1:4999")).Encode()), out var reply));
            Assert.NotNull(reply.Certificate);
        }
    }

    [Fact]
    public async Task Concurrent_ledger_updates_lose_no_invitation()
    {
        using var temp = new TempDirectory();
        var (files, identity, founder) = await FoundAsync(temp.Path);
        using (identity)
        using (founder)
        {
            // Each writer has its own OverlayFiles (as separate processes would) and its own lock
            // handle. The pause inside the read-modify-write widens the window a lost update needs.
            const int Writers = 8;
            const int Each = 20;
            var inside = 0;
            var mostInside = 0;
            var tokens = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
            {
                var mine = new OverlayFiles(new PhysicalFileSystem(), temp.Path, TimeProvider.System);
                var random = new SeededRandomSource((ulong)(100 + w));
                return Enumerable.Range(0, Each).Select(_ => mine.UpdateInvites(ledger =>
                {
                    var now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref mostInside, now);
                    Thread.Sleep(1);
                    Interlocked.Decrement(ref inside);
                    return ledger.Create(identity.Certificate!, founder!.Trust, random);
                })).ToList();
            })));

            Assert.Equal(1, mostInside);
            Assert.Equal(Writers * Each, files.PendingInvites());
            var all = tokens.SelectMany(t => t).ToList();
            Assert.All(all, t => Assert.True(files.UpdateInvites(l => l.TryRedeem(t.Secret.Span))));
            Assert.Equal(0, files.PendingInvites());
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }

    private static async Task<(OverlayFiles Files, NodeIdentity Identity, OverlayFounder? Founder)> FoundAsync(string data)
    {
        Assert.Equal(ExitCodes.Ok, await new CliHarness().RunAsync("overlay", "create", "--data", data, "--endpoint", "127.0.0.1:4031"));
        var files = new OverlayFiles(new PhysicalFileSystem(), data, TimeProvider.System);
        return (files, files.ReadIdentity(), files.ReadFounder());
    }
}
