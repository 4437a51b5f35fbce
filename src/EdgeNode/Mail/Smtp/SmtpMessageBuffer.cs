using System.Buffers;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// One message's bytes as they arrive, in an array rented from the shared pool that grows by
/// doubling (so a message costs O(log size) rentals, never an allocation per line), and is handed
/// to the store as one contiguous block. The data readers stop writing at the SIZE limit, which
/// bounds it; the node's <see cref="MessageMemory"/> bounds all buffers together: a buffer that
/// cannot grow within it is <see cref="Overflowed"/> and drops what follows. Returned to the pool
/// (and the memory given back) on <see cref="Dispose"/>.
/// </summary>
internal sealed class SmtpMessageBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 16 * 1024;

    private readonly MessageMemory _memory;
    private byte[] _buffer;
    private byte[]? _scratch;
    private long _taken;
    private int _written;

    public SmtpMessageBuffer(MessageMemory? memory = null)
    {
        _memory = memory ?? MessageMemory.Unlimited;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);

        // The first 16 KiB are never refused (a session's pipes cost as much), only counted when they fit.
        _taken = _memory.TryTake(_buffer.Length) ? _buffer.Length : 0;
    }

    public int Length => _written;

    /// <summary>The node's message memory ran out while this message arrived: what followed was dropped.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The bytes written so far; valid until the next write or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (Overflowed)
        {
            return; // written into the scratch space: dropped
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint) ? _buffer.AsMemory(_written) : Scratch(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint) ? _buffer.AsSpan(_written) : Scratch(sizeHint).Span;

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        _scratch = null;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _memory.Give(_taken);
        _taken = 0;
    }

    /// <summary>Makes room for <paramref name="sizeHint"/> more bytes; false when the node's message memory refused the growth.</summary>
    private bool Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var needed = Math.Max(sizeHint, 1);
        if (Overflowed)
        {
            return false;
        }

        if (_buffer.Length - _written >= needed)
        {
            return true;
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_written + needed));
        var larger = ArrayPool<byte>.Shared.Rent(size);
        if (!_memory.TryTake(larger.Length - _buffer.Length))
        {
            ArrayPool<byte>.Shared.Return(larger);
            Overflowed = true;
            return false;
        }

        _taken += larger.Length - _buffer.Length;
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
        return true;
    }

    /// <summary>Where an overflowed buffer lets the reader write what it then drops.</summary>
    private Memory<byte> Scratch(int sizeHint)
    {
        if (_scratch is null || _scratch.Length < sizeHint)
        {
            _scratch = new byte[Math.Max(sizeHint, 4096)];
        }

        return _scratch;
    }
}
