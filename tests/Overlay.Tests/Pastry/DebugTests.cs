using Xunit.Abstractions;
namespace EPostEdge.Overlay.Tests.Pastry;
public sealed class DebugTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two()
    {
        var overlay = await LoopbackOverlay.StartAsync(1);
        var n = await overlay.AddNodeAsync();
        await Task.Delay(2000);
        foreach (var x in overlay.Nodes)
        {
            output.WriteLine($"{x.Index} joined={x.Node!.Joined.IsCompleted} {x.Node.GetStatus().Counters} link sent {x.Link!.FramesSent} recv {x.Link.FramesReceived} dropped {x.Link.Dropped} {x.Node.LastFault}");
        }
    }
}
