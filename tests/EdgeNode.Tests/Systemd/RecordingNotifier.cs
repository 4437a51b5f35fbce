using Microsoft.Extensions.Hosting.Systemd;

namespace EPostEdge.EdgeNode.Tests.Systemd;

/// <summary>An sd_notify socket that keeps what it was told.</summary>
internal sealed class RecordingNotifier(bool enabled = true) : ISystemdNotifier
{
    private readonly List<string> _sent = [];

    public bool IsEnabled => enabled;

    public IReadOnlyList<string> Sent => _sent;

    public void Notify(ServiceState state) => _sent.Add(state.ToString());

    public int Count(string state) => _sent.Count(s => s == state);
}
