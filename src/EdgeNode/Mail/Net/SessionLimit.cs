namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>
/// Concurrent sessions of one protocol, shared by all its ports (SmtpOptions.MaxSessions counts
/// receiving, submission and implicit-TLS sessions together).
/// </summary>
public sealed class SessionLimit(int maxSessions)
{
    private int _active;

    public int MaxSessions { get; } = maxSessions;

    /// <summary>Sessions running now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Takes a slot; false when all <see cref="MaxSessions"/> are in use.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _active) <= MaxSessions)
        {
            return true;
        }

        Interlocked.Decrement(ref _active);
        return false;
    }

    /// <summary>Gives back a slot taken by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _active);
}
