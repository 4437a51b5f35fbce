using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.EdgeNode.Nat.Network;
using EPostEdge.Overlay.Seams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Nat;

/// <summary>
/// Maps the overlay port (Overlay:Port, UDP and TCP) on the home router while the node runs
/// (<see cref="PortMapper"/>), registered when the node has an overlay and Nat is on
/// (<see cref="NatOptions.IsOn"/>). Start does not wait for the router; stop removes the
/// mappings within <see cref="NatTimings.RemoveTimeout"/>. Registered after the overlay, so it
/// stops first and the port is unmapped before it closes.
/// </summary>
internal sealed partial class PortMappingService(
    NodeConfiguration configuration,
    INatNetwork network,
    TimeProvider time,
    IRandomSource random,
    ILogger<PortMappingService> logger,
    NatTimings? timings = null) : IHostedService, IAsyncDisposable
{
    private readonly PortMapper _mapper = new(configuration.Nat, configuration.Overlay.Port, network, time, random, logger, timings);
    private readonly NatTimings _timings = timings ?? NatTimings.Default;
    private CancellationTokenSource? _stopping;
    private Task? _running;

    /// <summary>What status.json shows.</summary>
    public NatStatus Status() => _mapper.Status;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _running = Task.Run(() => _mapper.RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null || _running is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The mapper's waits end this way.
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            LogLoopFailed(e.Message);
        }

        using var bounded = new CancellationTokenSource(_timings.RemoveTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bounded.Token);
        await _mapper.RemoveAsync(linked.Token).ConfigureAwait(false);
        _running = null;
    }

    public ValueTask DisposeAsync()
    {
        _stopping?.Dispose();
        _stopping = null;
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "nat: the port-mapping loop ended with an error: {Error}")]
    private partial void LogLoopFailed(string error);
}
