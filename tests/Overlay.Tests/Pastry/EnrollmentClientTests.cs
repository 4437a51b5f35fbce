using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Transport;
using EPostEdge.Overlay.Wire;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>The joiner's enrollment client against an inviter on a real loopback socket.</summary>
public sealed class EnrollmentClientTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task A_pending_invite_gets_a_certificate_and_a_second_joiner_with_the_same_secret_is_refused()
    {
        await using var inviter = await Inviter.StartAsync(seed: 1);
        var token = inviter.Invite();

        using var joiner = NodeIdentity.Create(new SeededRandomSource(2));
        var reply = await EnrollAsync(token, joiner);
        Assert.NotNull(reply);
        Assert.Null(reply.Refusal);
        Assert.Equal(joiner.Id, reply.Certificate!.Id);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4999), reply.Certificate.EndPoint);
        Assert.True(new OverlayTrust(token.FoundingKey).Verify(reply.Certificate, out var why), why);

        using var second = NodeIdentity.Create(new SeededRandomSource(3));
        var refused = await EnrollAsync(token, second);
        Assert.NotNull(refused);
        Assert.Null(refused.Certificate);
        Assert.Equal(Enrollment.UnknownInvite, refused.Refusal);
    }

    [Fact]
    public async Task Lost_requests_are_sent_again_with_the_same_bytes_until_one_is_answered()
    {
        await using var inviter = await Inviter.StartAsync(seed: 4, ignoreFirst: 2);
        var token = inviter.Invite();
        using var joiner = NodeIdentity.Create(new SeededRandomSource(5));
        await using var transport = await SocketTransport.BindAsync(AnyLoopback, new SocketTransportOptions());
        var client = new EnrollmentClient(transport);

        var reply = await client.EnrollAsync(token.Inviter, EnrollRequest.Create(joiner, token.Secret, new IPEndPoint(IPAddress.Loopback, 4999)));

        Assert.Equal(joiner.Id, reply!.Certificate!.Id);
        Assert.Equal(3, client.Transmissions);
        Assert.Equal(3, inviter.Requests.Count);
        Assert.All(inviter.Requests, r => Assert.Equal(inviter.Requests[0], r));
    }

    [Fact]
    public async Task Datagrams_from_other_endpoints_and_garbage_are_ignored()
    {
        await using var inviter = await Inviter.StartAsync(seed: 6, ignoreFirst: 1);
        var token = inviter.Invite();
        using var joiner = NodeIdentity.Create(new SeededRandomSource(7));
        await using var transport = await SocketTransport.BindAsync(AnyLoopback, new SocketTransportOptions());
        await using var stranger = await SocketTransport.BindAsync(AnyLoopback, new SocketTransportOptions());
        var client = new EnrollmentClient(transport);

        var pending = client.EnrollAsync(token.Inviter, EnrollRequest.Create(joiner, token.Secret, new IPEndPoint(IPAddress.Loopback, 4999)));
        var forged = Frame.EncodeUnauthenticated(MessageKind.EnrollReply, 0, EnrollReply.Refused("forged").Encode());
        await stranger.SendDatagramAsync(transport.LocalEndPoint, forged);
        await stranger.SendDatagramAsync(transport.LocalEndPoint, "not a frame"u8.ToArray());
        var reply = await pending;

        Assert.Null(reply!.Refusal);
        Assert.Equal(joiner.Id, reply.Certificate!.Id);
    }

    [Fact]
    public async Task A_silent_inviter_gives_null_after_the_timeout_and_not_before()
    {
        // Bound but never answering: the requests arrive and are counted, nothing comes back.
        await using var silent = await SocketTransport.BindAsync(AnyLoopback, new SocketTransportOptions());
        await using var transport = await SocketTransport.BindAsync(AnyLoopback, new SocketTransportOptions());
        using var joiner = NodeIdentity.Create(new SeededRandomSource(8));
        var time = new FakeTimeProvider();
        var client = new EnrollmentClient(transport, time) { Timeout = TimeSpan.FromSeconds(10) };
        var request = EnrollRequest.Create(joiner, new byte[InviteToken.SecretSize], new IPEndPoint(IPAddress.Loopback, 4999));

        var pending = client.EnrollAsync(silent.LocalEndPoint, request);
        while (time.GetUtcNow() - time.Start < TimeSpan.FromSeconds(9.9))
        {
            await Task.Delay(5);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.False(pending.IsCompleted);
        for (var i = 0; i < 2000 && !pending.IsCompleted; i++)
        {
            await Task.Delay(5);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.True(pending.IsCompleted);
        Assert.Null(await pending);
        Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromSeconds(10));

        // Backoff 0.5, 1, 2, 4 s within 10 s: five sends when nothing lags, never fewer than three.
        Assert.InRange(client.Transmissions, 3, 5);
        Assert.Equal(client.Transmissions, silent.Counters.DatagramsReceived);
    }

    private static async Task<EnrollReply?> EnrollAsync(InviteToken token, NodeIdentity joiner)
    {
        await using var transport = await SocketTransport.BindAsync(AnyLoopback, new SocketTransportOptions());
        return await new EnrollmentClient(transport).EnrollAsync(token.Inviter, EnrollRequest.Create(joiner, token.Secret, new IPEndPoint(IPAddress.Loopback, 4999)));
    }

    /// <summary>An inviter on a loopback socket answering with <see cref="Enrollment.Answer"/>; can ignore its first requests (lost datagrams).</summary>
    private sealed class Inviter : IAsyncDisposable
    {
        private readonly SocketTransport _transport;
        private readonly OverlayFounder _founder;
        private readonly NodeIdentity _identity;
        private readonly InviteLedger _ledger = new();
        private readonly SeededRandomSource _random;
        private readonly CancellationTokenSource _stop = new();
        private readonly int _ignoreFirst;
        private Task _loop = Task.CompletedTask;

        private Inviter(SocketTransport transport, ulong seed, int ignoreFirst)
        {
            _transport = transport;
            _random = new SeededRandomSource(seed);
            _founder = OverlayFounder.Create(_random);
            _identity = NodeIdentity.Create(_random);
            _identity.Certificate = _founder.Issue(_identity.SigningKey, _identity.AgreementKey, transport.LocalEndPoint, mayInvite: true);
            _ignoreFirst = ignoreFirst;
        }

        public List<byte[]> Requests { get; } = [];

        public static async Task<Inviter> StartAsync(ulong seed, int ignoreFirst = 0)
        {
            var inviter = new Inviter(await SocketTransport.BindAsync(AnyLoopback, new SocketTransportOptions()), seed, ignoreFirst);
            inviter._loop = Task.Run(inviter.RunAsync);
            return inviter;
        }

        public InviteToken Invite() => _ledger.Create(_identity.Certificate!, _founder.Trust, _random);

        private async Task RunAsync()
        {
            try
            {
                while (true)
                {
                    var datagram = await _transport.ReceiveDatagramAsync(_stop.Token);
                    var frame = datagram.Payload.ToArray();
                    if (!Frame.TryReadHeader(frame, out var header) || header.Kind != MessageKind.EnrollRequest)
                    {
                        continue;
                    }

                    lock (Requests)
                    {
                        Requests.Add(frame);
                        if (Requests.Count <= _ignoreFirst)
                        {
                            continue;
                        }
                    }

                    var reply = EnrollRequest.TryDecode(frame.AsSpan(header.Body), out var request)
                        ? Enrollment.Answer(request, _ledger, _founder, _identity)
                        : EnrollReply.Refused("malformed");
                    await _transport.SendDatagramAsync(datagram.Source, Frame.EncodeUnauthenticated(MessageKind.EnrollReply, 0, reply.Encode()));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            await _transport.DisposeAsync();
            _stop.Dispose();
            _identity.Dispose();
            _founder.Dispose();
        }
    }
}
