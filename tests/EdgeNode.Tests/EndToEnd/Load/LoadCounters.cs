using System.Collections.Concurrent;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>What the load clients saw, counted across all of them.</summary>
internal sealed class LoadCounters
{
    public long Refused421;
    public long Refused452;
    public long Failed451;
    public long OtherFailures;
    public long ConnectionErrors;
    public long ImapRefusedBye;
    public long ImapLoggedIn;
    public long ImapCommands;
    public long ImapErrors;
    public long MemoryRefusals;

    private readonly ConcurrentQueue<string> _notes = new();
    private int _noted;

    /// <summary>Message-IDs (without brackets) of the messages that got 250 to DATA.</summary>
    public ConcurrentDictionary<string, byte> Accepted { get; } = new(StringComparer.Ordinal);

    /// <summary>The first few refusal and error texts, for the report.</summary>
    public IEnumerable<string> Notes => _notes;

    public void Add(ref long counter) => Interlocked.Increment(ref counter);

    public void Accept(string messageId) => Accepted.TryAdd(messageId, 0);

    public void Note(string text)
    {
        if (text.Contains("memory near its budget", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref MemoryRefusals);
        }

        if (Interlocked.Increment(ref _noted) <= 12)
        {
            _notes.Enqueue(text);
        }
    }
}
