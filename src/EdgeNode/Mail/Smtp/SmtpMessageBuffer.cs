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

    // Larger buffers are allocated, not rented: the shared pool keeps what it is given back (up to
    // eight arrays per size per core), so a burst of 10 MiB messages left ~100 MiB of 16 MiB
    // arrays in it, live to the GC, and a node under a 128 MiB heap limit shedding load for good.
    private const int PooledLimit = 1024 * 1024;

    private readonly MessageMemory _memory;
    private byte[] _buffer;
    private byte[]? _scratch;
    private long _taken;
    private int _written;

    /// <param name="memory">The node's bound on message buffers (null: none).</param>
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
            GiveBack(buffer);
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
        var growth = size - _buffer.Length;
        if (!_memory.TryTake(growth))
        {
            Overflowed = true;
            return false;
        }

        byte[] larger;
        try
        {
            larger = size <= PooledLimit ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        }
        catch (OutOfMemoryException)
        {
            // The GC's heap hard limit: this message does not fit now. Dropped with 452, the
            // session (and every other) goes on; a failed array allocation leaves nothing broken.
            _taken += growth; // given back with the rest on Dispose
            Overflowed = true;
            return false;
        }

        _taken += growth;
        _buffer.AsSpan(0, _written).CopyTo(larger);
        GiveBack(_buffer);
        _buffer = larger;
        return true;
    }

    private static void GiveBack(byte[] buffer)
    {
        if (buffer.Length <= PooledLimit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
