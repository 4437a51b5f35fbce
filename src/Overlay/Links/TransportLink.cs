using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using EPostEdge.Overlay.Transport;

namespace EPostEdge.Overlay.Links;

/// <summary>
/// The real <see cref="ILink"/> over an <see cref="ITransport"/>: frames that fit a datagram go by
/// UDP (keep-alives, routing, acks); larger ones (join replies, leaf sets of L = 32) go over one
/// cached TCP stream per peer as <c>u32 length + frame</c>. Sending is queued (bounded: when full
/// the frame is dropped and counted — backpressure by loss, which the overlay's retries absorb),
/// so the node never waits on the network while it holds its lock.
/// </summary>
public sealed class TransportLink : ILink, IAsyncDisposable
{
    /// <summary>Largest frame accepted from a stream; anything longer closes that stream.</summary>
    public const int MaxStreamFrame = 1 << 20;

    private readonly ITransport _transport;
    private readonly Channel<(IPEndPoint Destination, ReadOnlyMemory<byte> Frame)> _outbound;
    private readonly ConcurrentDictionary<IPEndPoint, StreamSender> _streams = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private Action<IPEndPoint, ReadOnlyMemory<byte>>? _receiver;
    private long _framesSent;
    private long _framesReceived;
    private long _bytesSent;
    private long _bytesReceived;
    private long _dropped;

    public TransportLink(ITransport transport, int sendQueueCapacity = 4096)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _outbound = Channel.CreateBounded<(IPEndPoint, ReadOnlyMemory<byte>)>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint => _transport.LocalEndPoint;

    /// <summary>Frames handed to the transport.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Frames received (datagrams and stream frames).</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Bytes of frames sent.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes of frames received.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Frames dropped: send queue full, stream failures, oversized frames.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void Send(IPEndPoint destination, ReadOnlyMemory<byte> frame)
    {
        if (_stop.IsCancellationRequested || !_outbound.Writer.TryWrite((destination, frame)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <inheritdoc />
    public void Start(Action<IPEndPoint, ReadOnlyMemory<byte>> receiver)
    {
        _receiver = receiver ?? throw new ArgumentNullException(nameof(receiver));
        _loops.Add(Task.Run(SendLoopAsync));
        _loops.Add(Task.Run(ReceiveLoopAsync));
        _loops.Add(Task.Run(AcceptLoopAsync));
    }

    private async Task SendLoopAsync()
    {
        var token = _stop.Token;
        try
        {
            while (await _outbound.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (_outbound.Reader.TryRead(out var item))
                {
                    try
                    {
                        if (item.Frame.Length <= _transport.MaxDatagramSize)
                        {
                            await _transport.SendDatagramAsync(item.Destination, item.Frame, token).ConfigureAwait(false);
                        }
                        else
                        {
                            SendByStream(item.Destination, item.Frame);
                        }

                        Interlocked.Increment(ref _framesSent);
                        Interlocked.Add(ref _bytesSent, item.Frame.Length);
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception)
                    {
                        // Best effort, like UDP: a failed send is a lost frame, and the overlay's
                        // timeouts and retries already handle lost frames.
                        Interlocked.Increment(ref _dropped);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void SendByStream(IPEndPoint destination, ReadOnlyMemory<byte> frame)
    {
        var sender = _streams.GetOrAdd(destination, d => new StreamSender(this, d));
        if (!sender.TryEnqueue(frame))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Datagram datagram;
            try
            {
                datagram = await _transport.ReceiveDatagramAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            Deliver(datagram.Source, datagram.Payload);
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            TransportStream stream;
            try
            {
                stream = await _transport.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ReadStreamAsync(stream, token), CancellationToken.None);
        }
    }

    private async Task ReadStreamAsync(TransportStream stream, CancellationToken token)
    {
        await using (stream.ConfigureAwait(false))
        {
            var lengthBytes = new byte[4];
            try
            {
                while (!token.IsCancellationRequested)
                {
                    await stream.Stream.ReadExactlyAsync(lengthBytes, token).ConfigureAwait(false);
                    var length = BinaryPrimitives.ReadUInt32BigEndian(lengthBytes);
                    if (length == 0 || length > MaxStreamFrame)
                    {
                        Interlocked.Increment(ref _dropped);
                        return; // not our framing: close rather than read garbage forever
                    }

                    var frame = new byte[length];
                    await stream.Stream.ReadExactlyAsync(frame, token).ConfigureAwait(false);
                    Deliver(stream.RemoteEndPoint, frame);
                }
            }
            catch (Exception)
            {
                // End of stream, reset, or shutdown: the peer reconnects when it has more to say.
            }
        }
    }

    private void Deliver(IPEndPoint source, ReadOnlyMemory<byte> frame)
    {
        Interlocked.Increment(ref _framesReceived);
        Interlocked.Add(ref _bytesReceived, frame.Length);
        try
        {
            _receiver?.Invoke(source, frame);
        }
        catch (Exception)
        {
            // The node's receive path validates everything; a bug there must not stop the loop.
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _outbound.Writer.TryComplete();
        foreach (var sender in _streams.Values)
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Loops end by cancellation.
        }

        _stop.Dispose();
    }

    /// <summary>One peer's outgoing stream: connects on first use, writes frames in order, reconnects after a failure.</summary>
    private sealed class StreamSender : IAsyncDisposable
    {
        private readonly TransportLink _link;
        private readonly IPEndPoint _destination;
        private readonly Channel<ReadOnlyMemory<byte>> _queue = Channel.CreateBounded<ReadOnlyMemory<byte>>(
            new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

        private readonly Task _loop;

        public StreamSender(TransportLink link, IPEndPoint destination)
        {
            _link = link;
            _destination = destination;
            _loop = Task.Run(RunAsync);
        }

        public bool TryEnqueue(ReadOnlyMemory<byte> frame) => _queue.Writer.TryWrite(frame);

        private async Task RunAsync()
        {
            var token = _link._stop.Token;
            TransportStream? stream = null;
            var header = new byte[4];
            try
            {
                while (await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    while (_queue.Reader.TryRead(out var frame))
                    {
                        try
                        {
                            stream ??= await _link._transport.ConnectAsync(_destination, token).ConfigureAwait(false);
                            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)frame.Length);
                            await stream.Stream.WriteAsync(header, token).ConfigureAwait(false);
                            await stream.Stream.WriteAsync(frame, token).ConfigureAwait(false);
                        }
                        catch (Exception) when (!token.IsCancellationRequested)
                        {
                            Interlocked.Increment(ref _link._dropped);
                            if (stream is not null)
                            {
                                await stream.DisposeAsync().ConfigureAwait(false);
                                stream = null;
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.TryComplete();
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (Exception)
            {
            }
        }
    }
}
