namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// The memory all SMTP sessions of the node may hold in message buffers at once
/// (Budget:SmtpMessageMemory). Each session's buffer takes from it as it grows and gives back
/// when the transaction ends; a message that would go past it is read to its end, dropped, and
/// answered 452 4.3.1, and a MAIL whose SIZE does not fit gets 452 4.3.1 at once (RFC 1870 §6.1).
/// Without it, twenty clients sending 10 MiB each would need 320 MiB of buffers on a board whose
/// whole budget is 200 MiB (seen: OutOfMemoryException in every session, nothing delivered).
/// Buffers take step by step as they double, so many large messages at the very same moment may
/// share the bound until none can finish: all get 452 and their senders retry, staggered.
/// </summary>
public sealed class MessageMemory
{
    /// <summary>No bound (the default outside a hw-profile).</summary>
    public static readonly MessageMemory Unlimited = new(long.MaxValue);

    private readonly Lock _gate = new();
    private long _taken;

    /// <param name="capacityBytes">The bound in bytes.</param>
    public MessageMemory(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    /// <summary>The bound in bytes.</summary>
    public long CapacityBytes { get; }

    /// <summary>Bytes held by buffers now.</summary>
    public long TakenBytes
    {
        get
        {
            lock (_gate)
            {
                return _taken;
            }
        }
    }

    /// <summary>Bytes a buffer could still take now.</summary>
    public long AvailableBytes
    {
        get
        {
            lock (_gate)
            {
                return CapacityBytes - _taken;
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/>; false (nothing taken) when they do not fit.</summary>
    public bool TryTake(long bytes)
    {
        if (CapacityBytes == long.MaxValue)
        {
            return true; // unbounded: no shared lock for every session to meet
        }

        lock (_gate)
        {
            if (bytes > CapacityBytes - _taken)
            {
                return false;
            }

            _taken += bytes;
            return true;
        }
    }

    /// <summary>Gives back what <see cref="TryTake"/> took.</summary>
    public void Give(long bytes)
    {
        if (CapacityBytes == long.MaxValue)
        {
            return;
        }

        lock (_gate)
        {
            _taken -= bytes;
        }
    }
}
