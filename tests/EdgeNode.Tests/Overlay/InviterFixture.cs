using System.Net;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.EdgeNode.Tests.Cli;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Transport;
using EPostEdge.Overlay.Wire;
using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.Logging.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Overlay;

/// <summary>
/// A founding node as far as enrollment goes, in-process: <c>overlay create</c> in a folder, and
/// its <see cref="EnrollmentDesk"/> answering on a real loopback socket at the certificate's
/// endpoint (what the running node's PastryNode does with EnrollRequest frames).
/// </summary>
internal sealed class InviterFixture : IAsyncDisposable
{
    private readonly SocketTransport _transport;
    private readonly NodeIdentity _identity;
    private readonly OverlayFounder? _founder;
    private readonly EnrollmentDesk _desk;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private static long _invites = 5000;

    private InviterFixture(string dataDirectory, SocketTransport transport)
    {
        DataDirectory = dataDirectory;
        _transport = transport;
        var files = new OverlayFiles(new PhysicalFileSystem(), dataDirectory, TimeProvider.System);
        _identity = files.ReadIdentity();
        _founder = files.ReadFounder();
        Overlay = files.ReadSettings().Overlay;
        _desk = new EnrollmentDesk(files, _founder, _identity, TimeProvider.System, NullLogger.Instance);
    }

    public string DataDirectory { get; }

    public IPEndPoint EndPoint => _transport.LocalEndPoint;

    public NodeId Overlay { get; }

    public static async Task<InviterFixture> StartAsync(string dataDirectory)
    {
        var transport = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), new SocketTransportOptions());
        var cli = new CliHarness(seed: 1000);
        var exit = await cli.RunAsync("overlay", "create", "--data", dataDirectory, "--endpoint", transport.LocalEndPoint.ToString());
        if (exit != ExitCodes.Ok)
        {
            await transport.DisposeAsync();
            throw new InvalidOperationException($"overlay create exited with {exit}: {cli.Error}");
        }

        var fixture = new InviterFixture(dataDirectory, transport);
        fixture._loop = Task.Run(fixture.AnswerAsync);
        return fixture;
    }

    /// <summary>A fresh token from <c>epost-edge invite</c>.</summary>
    public async Task<string> InviteAsync()
    {
        var cli = new CliHarness(seed: (ulong)Interlocked.Increment(ref _invites));
        var exit = await cli.RunAsync("invite", "--data", DataDirectory);
        return exit == ExitCodes.Ok ? cli.Output.Trim() : throw new InvalidOperationException($"invite exited with {exit}: {cli.Error}");
    }

    private async Task AnswerAsync()
    {
        try
        {
            while (true)
            {
                var datagram = await _transport.ReceiveDatagramAsync(_stop.Token);
                var frame = datagram.Payload;
                if (Frame.TryReadHeader(frame.Span, out var header) && header.Kind == MessageKind.EnrollRequest
                    && _desk.Answer(frame[header.Body]) is { } reply)
                {
                    await _transport.SendDatagramAsync(datagram.Source, Frame.EncodeUnauthenticated(MessageKind.EnrollReply, 0, reply));
                }
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
        _founder?.Dispose();
    }
}
