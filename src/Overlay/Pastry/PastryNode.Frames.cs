using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Wire;
using WireReader = EPostEdge.Overlay.Wire.WireReader;
using WireWriter = EPostEdge.Overlay.Wire.WireWriter;

namespace EPostEdge.Overlay.Pastry;

// Frames: authentication (certificates, per-link MACs) and dispatch of received messages.
public sealed partial class PastryNode
{
    private const int MaxWaitingPerNeighbor = 16;
    private const int MaxNeighbors = 4096;
    private readonly Dictionary<IPEndPoint, TimeSpan> _helloSent = [];

    /// <summary>The link's receive callback: any bytes from anywhere.</summary>
    private void Receive(IPEndPoint source, ReadOnlyMemory<byte> frame)
    {
        if (Frame.TryReadHeader(frame.Span, out var header) && header.Kind == MessageKind.EnrollRequest)
        {
            // Enrollment answers may touch files (the invite ledger): keep them off the node's lock.
            Enroll(frame[header.Body], source);
            return;
        }

        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            Counters.FramesReceived++;
            Counters.BytesReceived += frame.Length;
            try
            {
                ProcessFrame(frame, source, via: null);
            }
            catch (Exception e)
            {
                // Every decoder is length-checked; this is the last guard so that no frame, however
                // strange, can stop the receive loop (issue 4: a garbage flood crashes nothing).
                Counters.Malformed++;
                LastFault = e.ToString();
            }
        }
    }

    private void ProcessFrame(ReadOnlyMemory<byte> frame, IPEndPoint source, NodeHandle? via)
    {
        var span = frame.Span;
        if (!Frame.TryReadHeader(span, out var header))
        {
            Counters.Malformed++;
            return;
        }

        if (!Frame.IsAuthenticated(header.Kind))
        {
            if (via is not null)
            {
                Counters.Malformed++; // only authenticated frames are relayed
                return;
            }

            OnUnauthenticated(header, frame[header.Body], source);
            return;
        }

        var neighbor = ResolveSender(header, span, source);
        if (neighbor is null)
        {
            return;
        }

        if (!LinkMac.Verify(neighbor.LinkKey, span[..header.Mac.Start], span[header.Mac]))
        {
            Counters.BadMac++;
            return;
        }

        var reader = new WireReader(span[header.Body]);
        if (!OverlayMessage.TryReadBody(header.Kind, ref reader, out var message) || reader.Remaining != 0)
        {
            Counters.Malformed++;
            return;
        }

        if (IsMaintenance(header.Kind))
        {
            Counters.MaintenanceBytesReceived += frame.Length;
        }

        if (_neighbors.TryGetValue(neighbor.Id, out var known) && !ReferenceEquals(known, neighbor))
        {
            // The frame authenticated under a new certificate of a known node: adopt it.
            known.Certificate = neighbor.Certificate;
            known.LinkKey = neighbor.LinkKey;
            _leafSet.Refresh(neighbor.Handle);
            neighbor = known;
        }

        neighbor.KnowsOurCertificate = true;
        var senderJoined = (header.Flags & Frame.SenderJoined) != 0;
        if (senderJoined && !InState(neighbor.Id))
        {
            // Learning from contact: a joined, certified node talking to us may belong in our
            // leaf set or table (that is how joins announce themselves and partitions merge).
            Candidate(neighbor.Handle);
        }

        Handle(message!, neighbor, via, senderJoined);
    }

    private void OnUnauthenticated(FrameHeader header, ReadOnlyMemory<byte> blob, IPEndPoint source)
    {
        Counters.MaintenanceBytesReceived += blob.Length + 5;
        switch (header.Kind)
        {
            case MessageKind.Hello:
                OnHello(blob.Span, header.Flags, source);
                break;
            default:
                break; // enrollment replies go to the joining client, not to a running node
        }
    }

    /// <summary>Answers an invite redemption with the node's <see cref="EnrollmentHandler"/> (thread-safe; runs on the link's thread).</summary>
    private void Enroll(ReadOnlyMemory<byte> request, IPEndPoint source)
    {
        if (_stopped || EnrollmentHandler is not { } handler)
        {
            return;
        }

        byte[]? reply;
        try
        {
            reply = handler(request);
        }
        catch (Exception e)
        {
            LastFault = e.ToString();
            return;
        }

        if (reply is not null)
        {
            // The link's queue is thread-safe; counters are not touched off the lock.
            _link.Send(source, Frame.EncodeUnauthenticated(MessageKind.EnrollReply, 0, reply));
        }
    }

    /// <summary>A certificate offered by a node: verify it, remember the node, answer if asked.</summary>
    private void OnHello(ReadOnlySpan<byte> certificateBytes, byte flags, IPEndPoint source)
    {
        if (!NodeCertificate.TryDecode(certificateBytes, out var certificate, out var consumed) || consumed != certificateBytes.Length)
        {
            Counters.Malformed++;
            return;
        }

        // An unauthenticated Hello never replaces a known node's certificate (Remember returns an
        // unstored candidate then); it can only introduce a node we did not know.
        var neighbor = Remember(certificate!);
        if (neighbor is null)
        {
            return;
        }

        if (_neighbors.TryGetValue(neighbor.Id, out var known))
        {
            neighbor = known;
        }

        // A Hello either answers ours (so it holds our certificate) or asks for it, and gets it
        // now: our frames need not carry it again (a certificate is most of a ping's size). If
        // this answer is lost, our next frame comes from an unknown sender there, which asks again.
        neighbor.KnowsOurCertificate = true;
        if ((flags & Frame.WantsReply) != 0)
        {
            SendFrame(source, Frame.EncodeUnauthenticated(MessageKind.Hello, JoinedFlag, _certificate.Encoded.Span), maintenance: true);
        }

        OnCertificateLearned(neighbor, source, senderJoined: (flags & Frame.SenderJoined) != 0);
    }

    /// <summary>The sender's link state; null (and counted) when it cannot be authenticated.</summary>
    private Neighbor? ResolveSender(FrameHeader header, ReadOnlySpan<byte> frame, IPEndPoint source)
    {
        if (header.Sender == LocalNode.Id)
        {
            Counters.Malformed++;
            return null;
        }

        if (header.HasCertificate)
        {
            var bytes = frame[header.Certificate];
            if (!NodeCertificate.TryDecode(bytes, out var certificate, out var consumed) || consumed != bytes.Length
                || certificate!.Id != header.Sender)
            {
                Counters.CertificatesRefused++;
                return null;
            }

            return Remember(certificate);
        }

        if (_neighbors.TryGetValue(header.Sender, out var known))
        {
            return known;
        }

        // We do not hold its certificate (we restarted, or evicted it): ask for it. The frame is
        // lost; the sender's retries bring the next one.
        Counters.UnknownSenders++;
        SendHello(source, wantsReply: true);
        return null;
    }

    /// <summary>Verifies a certificate and returns the node's link state, creating it on first sight.</summary>
    private Neighbor? Remember(NodeCertificate certificate)
    {
        if (certificate.Id == LocalNode.Id)
        {
            return null;
        }

        if (_neighbors.TryGetValue(certificate.Id, out var known) && known.Certificate.Encoded.Span.SequenceEqual(certificate.Encoded.Span))
        {
            return known;
        }

        if (!_trust.Verify(certificate, out _))
        {
            Counters.CertificatesRefused++;
            return null;
        }

        byte[] key;
        try
        {
            key = _identity.DeriveLinkKey(certificate);
        }
        catch (Exception)
        {
            Counters.CertificatesRefused++;
            return null;
        }

        if (known is not null)
        {
            // Another valid certificate for a node we know (re-issued for a new endpoint, or an
            // old one replayed by someone else): not trusted yet. It replaces the known one only
            // after a frame authenticates under it (see ProcessFrame), which only the node can do.
            return new Neighbor(certificate, key, _options) { KnowsOurCertificate = known.KnowsOurCertificate };
        }

        if (_neighbors.Count >= MaxNeighbors)
        {
            EvictStrangers();
        }

        var neighbor = new Neighbor(certificate, key, _options);
        _neighbors[certificate.Id] = neighbor;
        return neighbor;
    }

    /// <summary>Forgets certificates of nodes that are in no routing state and not remembered as recently dead.</summary>
    private void EvictStrangers()
    {
        var keep = new HashSet<NodeId>(StateHandles().Select(h => h.Id).Concat(_recentlyDead.Select(d => d.Node.Id)));
        foreach (var id in _neighbors.Keys.Where(id => !keep.Contains(id)).Take(_neighbors.Count / 4).ToList())
        {
            _neighbors.Remove(id);
        }
    }

    /// <summary>Sends <paramref name="message"/> to a node we may know only by handle: queued until its certificate arrives.</summary>
    private void SendTo(NodeHandle node, OverlayMessage message)
    {
        if (node.Id == LocalNode.Id)
        {
            return;
        }

        if (_neighbors.TryGetValue(node.Id, out var neighbor))
        {
            SendMessage(neighbor, message);
            return;
        }

        // Without its certificate we cannot compute the link key: ask for it, and hold the message
        // in a placeholder-free way by remembering it per id until the Hello arrives.
        if (!_waitingForCertificate.TryGetValue(node.Id, out var waiting))
        {
            waiting = [];
            _waitingForCertificate[node.Id] = waiting;
        }

        if (waiting.Count < MaxWaitingPerNeighbor)
        {
            waiting.Add(message);
        }

        SendHello(node.EndPoint, wantsReply: true);
    }

    private readonly Dictionary<NodeId, List<OverlayMessage>> _waitingForCertificate = [];

    /// <summary>Encodes and sends one authenticated message; through the neighbour's relay when its direct path is down.</summary>
    private void SendMessage(Neighbor neighbor, OverlayMessage message, NodeHandle? via = null, bool direct = false)
    {
        var flags = JoinedFlag;
        var certificate = neighbor.KnowsOurCertificate ? ReadOnlySpan<byte>.Empty : _certificate.Encoded.Span;
        var key = neighbor.LinkKey;
        var frame = Frame.EncodeAuthenticated(message, LocalNode.Id, flags, certificate, (data, tag) => LinkMac.Compute(key, data, tag), _scratch);
        var relay = direct ? null : via ?? neighbor.Relay;
        if (relay is not null && relay.Id != neighbor.Id && _neighbors.TryGetValue(relay.Id, out var relayNeighbor))
        {
            SendMessage(relayNeighbor, new RelayMessage(neighbor.Handle, frame), direct: true);
            return;
        }

        SendFrame(neighbor.Handle.EndPoint, frame, IsMaintenance(message.Kind));
    }

    private void SendFrame(IPEndPoint destination, byte[] frame, bool maintenance)
    {
        Counters.FramesSent++;
        Counters.BytesSent += frame.Length;
        if (maintenance)
        {
            Counters.MaintenanceBytesSent += frame.Length;
        }

        _link.Send(destination, frame);
    }

    /// <summary>Offers our certificate to an endpoint (rate-limited per endpoint to one per minimum timeout).</summary>
    private void SendHello(IPEndPoint destination, bool wantsReply)
    {
        var now = Now;
        if (_helloSent.TryGetValue(destination, out var last) && now - last < _options.MinimumTimeout)
        {
            return;
        }

        if (_helloSent.Count > MaxNeighbors)
        {
            _helloSent.Clear();
        }

        _helloSent[destination] = now;
        var flags = (byte)(JoinedFlag | (wantsReply ? Frame.WantsReply : 0));
        SendFrame(destination, Frame.EncodeUnauthenticated(MessageKind.Hello, flags, _certificate.Encoded.Span), maintenance: true);
    }

    /// <summary>Application traffic is everything that carries or acknowledges an application's message.</summary>
    private static bool IsMaintenance(MessageKind kind) =>
        kind is not (MessageKind.Route or MessageKind.Direct or MessageKind.HopAck or MessageKind.RouteAck);

    private void Handle(OverlayMessage message, Neighbor from, NodeHandle? via, bool senderJoined)
    {
        switch (message)
        {
            case PingMessage ping:
                // Until it has joined, a node does not claim to be alive: a restarted node would
                // otherwise keep its old incarnation in others' leaf sets and receive deliveries
                // it cannot route (found by the churn-1m simulation).
                if (_member)
                {
                    SendMessage(from, new PongMessage(ping.Nonce), via, direct: via is null);
                }

                break;
            case PongMessage pong:
                OnPong(pong, from, via, senderJoined);
                break;
            case LeafSetMessage leafSet:
                OnLeafSet(leafSet, from, via);
                break;
            case RowRequestMessage request:
                SendMessage(from, new RowMessage(request.Row, _table.Row(request.Row)), via);
                break;
            case RowMessage row:
                foreach (var entry in row.Entries)
                {
                    Candidate(entry);
                }

                // Proximity neighbour selection (Pastry §2.5): probe one more entry of the row, so
                // a nearer node can take its slot. One per row reply bounds the new contacts (each
                // costs a certificate exchange and a key agreement) to one per repair period.
                if (row.Entries.Count > 0)
                {
                    Candidate(row.Entries[_random.NextInt32(row.Entries.Count)], improve: true);
                }

                break;
            case RouteMessage route:
                OnRoute(route, from, via);
                break;
            case HopAckMessage ack:
                _pendingHops.Remove(ack.MessageId);
                break;
            case RouteAckMessage ack:
                OnRouteAck(ack);
                break;
            case DirectMessage direct:
                OnDirect(direct, from);
                break;
            case JoinReplyMessage reply:
                OnJoinReply(reply, from);
                break;
            case LeaveMessage:
                Forget(from, dead: false);
                break;
            case RelayMessage relay:
                OnRelay(relay, from);
                break;
            case RelayedMessage relayed:
                if (via is null)
                {
                    // Process the inner frame as if it came from its origin, and answer the same way back.
                    ProcessFrame(relayed.Inner, relayed.Origin.EndPoint, via: from.Handle);
                }

                break;
        }
    }

    /// <summary>A neighbour asks us to pass a frame on (source routing for a path that failed).</summary>
    private void OnRelay(RelayMessage relay, Neighbor from)
    {
        if (relay.Target.Id == LocalNode.Id || relay.Target.Id == from.Id)
        {
            return;
        }

        Counters.Relayed++;
        if (_neighbors.TryGetValue(relay.Target.Id, out var target))
        {
            SendMessage(target, new RelayedMessage(from.Handle, relay.Inner), direct: true);
        }
        else
        {
            SendTo(relay.Target, new RelayedMessage(from.Handle, relay.Inner));
        }
    }

    /// <summary>Flushes messages that waited for a node's certificate; then the join and candidate logic.</summary>
    private void OnCertificateLearned(Neighbor neighbor, IPEndPoint source, bool senderJoined)
    {
        if (_waitingForCertificate.Remove(neighbor.Id, out var waiting))
        {
            foreach (var message in waiting)
            {
                SendMessage(neighbor, message);
            }
        }

        if (!_member && IsBootstrap(source, neighbor))
        {
            SendJoin(neighbor);
        }

        if (senderJoined && !InState(neighbor.Id))
        {
            Candidate(neighbor.Handle);
        }
    }

    /// <summary>The flag that tells receivers this node is a joined member.</summary>
    private byte JoinedFlag => _member ? Frame.SenderJoined : (byte)0;
}
