using System.Buffers;

namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// One message's bytes as they arrive, in an array rented from the shared pool that grows by
/// doubling (so a message costs O(log size) rentals, never an allocation per line), and is handed
/// to the store as one contiguous block. The data readers stop writing at the SIZE limit, which
/// bounds it. Returned to the pool on <see cref="Dispose"/>.
/// </summary>
internal sealed class SmtpMessageBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 16 * 1024;

    private byte[] _buffer;
    private int _written;

    public SmtpMessageBuffer()
    {
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    }

    public int Length => _written;

    /// <summary>The bytes written so far; valid until the next write or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_written + needed));
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
