namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>
/// Concurrent sessions of one protocol, shared by all its ports (SmtpOptions.MaxSessions counts
/// receiving, submission and implicit-TLS sessions together), and the node's budgets: a
/// connection is admitted only when the <paramref name="gate"/> (memory) lets it in too.
/// </summary>
public sealed class SessionLimit(int maxSessions, IAdmissionGate? gate = null)
{
    /// <summary>The reason given when all sessions are in use.</summary>
    public const string TooManySessions = "too many sessions, try again later";

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

    /// <summary>Takes a slot; false with the reason when all are in use or the node's budget refuses new connections.</summary>
    public bool TryEnter(out string reason)
    {
        if (gate?.RefuseConnection() is { } refusal)
        {
            reason = refusal;
            return false;
        }

        reason = TooManySessions;
        return TryEnter();
    }

    /// <summary>Gives back a slot taken by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _active);
}
