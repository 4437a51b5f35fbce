using System.Net;
using System.Net.Sockets;

namespace EPostEdge.EdgeNode.Tests.Nat.NatPmp;

/// <summary>
/// A gateway that speaks NAT-PMP and not PCP, as older Apple AirPort and many small routers do:
/// every request whose version is not 0 gets UNSUPP_VERSION in NAT-PMP's format (RFC 6886
/// §3.5; RFC 6887 §9 relies on it). miniupnpd speaks both, so it cannot show the PCP client
/// falling back; this responder can. It answers on its socket until disposed and keeps what
/// it mapped.
/// </summary>
internal sealed class NatPmpOnlyResponder : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly IPAddress _external;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly Dictionary<(byte Opcode, ushort Port), ushort> _mappings = [];

    public NatPmpOnlyResponder(Socket socket, IPAddress external)
    {
        _socket = socket;
        _external = external;
        _serving = ServeAsync();
    }

    /// <summary>Requests seen, by version byte.</summary>
    public Dictionary<byte, int> RequestsByVersion { get; } = [];

    /// <summary>Mappings held now: (opcode, internal port) → external port.</summary>
    public IReadOnlyDictionary<(byte Opcode, ushort Port), ushort> Mappings
    {
        get
        {
            lock (_mappings)
            {
                return new Dictionary<(byte, ushort), ushort>(_mappings);
            }
        }
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[1100];
        const uint epoch = 1000;
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var request = buffer.AsSpan(0, received.ReceivedBytes);
            if (request.Length < 2)
            {
                continue;
            }

            lock (RequestsByVersion)
            {
                RequestsByVersion[request[0]] = RequestsByVersion.GetValueOrDefault(request[0]) + 1;
            }

            byte[] answer;
            if (request[0] != 0)
            {
                answer = NatPmpServerWire.ErrorResponse((byte)(request[1] & 0x7F), 1, epoch);
            }
            else if (request[1] == 0)
            {
                answer = NatPmpServerWire.ExternalAddressResponse(0, epoch, _external);
            }
            else if (NatPmpServerWire.TryReadMapRequest(request, out var opcode, out var internalPort, out var suggested, out var lifetime))
            {
                lock (_mappings)
                {
                    if (lifetime == 0)
                    {
                        _mappings.Remove((opcode, internalPort));
                        answer = NatPmpServerWire.MapResponse(opcode, 0, epoch, internalPort, 0, 0);
                    }
                    else
                    {
                        var external = suggested == 0 ? internalPort : suggested;
                        _mappings[(opcode, internalPort)] = external;
                        answer = NatPmpServerWire.MapResponse(opcode, 0, epoch, internalPort, external, Math.Min(lifetime, 7200));
                    }
                }
            }
            else
            {
                answer = NatPmpServerWire.ErrorResponse(request[1], 5, epoch); // UNSUPP_OPCODE
            }

            await _socket.SendToAsync(answer, received.RemoteEndPoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _serving;
        _socket.Dispose();
        _stop.Dispose();
    }
}
