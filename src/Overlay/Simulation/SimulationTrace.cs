using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// The run's event trace, folded as it happens into one SHA-256 (<see cref="Hash"/>): two runs with
/// the same seed must produce the same hash byte for byte (issue 5 acceptance). The last
/// <see cref="Capacity"/> entries are kept, and per node its last <see cref="PerNodeCapacity"/>
/// frames and the recent scenario notes, so a checker's violation can print a minimal trace: only
/// the events among the nodes it names (<see cref="Involving"/>), however large the run.
/// </summary>
public sealed class SimulationTrace : IDisposable
{
    /// <summary>How many recent entries are kept for <see cref="Recent"/>.</summary>
    public const int Capacity = 200;

    /// <summary>Frames kept per node for <see cref="Involving"/>.</summary>
    public const int PerNodeCapacity = 64;

    /// <summary>Scenario notes (kills, restarts, partitions...) kept for <see cref="Involving"/>.</summary>
    public const int NoteCapacity = 4096;

    private const byte FrameTag = 1;
    private const byte LookupTag = 2;
    private const byte NoteTag = 3;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Entry[] _recent = new Entry[Capacity];
    private readonly byte[] _header = new byte[32];
    private readonly List<Ring?> _byNode = [];
    private readonly Ring _notes = new(NoteCapacity);
    private long _count;

    /// <summary>Entries folded so far.</summary>
    public long Count => _count;

    /// <summary>Folds one delivered frame: time, source, destination, length and the bytes themselves.</summary>
    public void Frame(TimeSpan time, int source, int destination, ReadOnlySpan<byte> bytes)
    {
        Fold(FrameTag, time, source, destination, bytes.Length);
        _hash.AppendData(bytes);
        var entry = new Entry(FrameTag, time, source, destination, bytes.Length, Fnv1a(bytes), null, _count);
        Keep(entry);
        RingOf(source).Add(entry);
        RingOf(destination).Add(entry);
    }

    /// <summary>Folds one lookup delivery: time, where it was delivered, its number and hop count.</summary>
    public void Lookup(TimeSpan time, int node, long lookup, int hops, bool consistent)
    {
        Fold(LookupTag, time, node, hops, consistent ? 1 : 0);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, lookup);
        _hash.AppendData(number);
        Keep(new Entry(LookupTag, time, node, hops, consistent ? 1 : 0, (ulong)lookup, null, _count));
    }

    /// <summary>
    /// Folds a scenario step (kill, restart, partition...), so the hash also covers what was done to
    /// the run; <paramref name="node"/> names the node it concerns (-1: the whole run) for
    /// <see cref="Involving"/>, and is not folded, so tagging a note leaves the hash as it was.
    /// </summary>
    public void Note(TimeSpan time, string text, int node = -1)
    {
        ArgumentNullException.ThrowIfNull(text);
        Fold(NoteTag, time, 0, 0, text.Length);
        _hash.AppendData(System.Text.Encoding.UTF8.GetBytes(text));
        var entry = new Entry(NoteTag, time, node, 0, 0, 0, text, _count);
        Keep(entry);
        _notes.Add(entry);
    }

    /// <summary>
    /// The minimal trace of a violation: the kept events at or after <paramref name="since"/> that
    /// involve <paramref name="nodes"/> — the last <paramref name="limit"/> frames between two of
    /// them, and every note about one of them or about the whole run (rare, and what explains most
    /// violations: a kill, a restart, a heal) — oldest first.
    /// </summary>
    public IReadOnlyList<string> Involving(IReadOnlyCollection<int> nodes, TimeSpan since, int limit)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var set = nodes.ToHashSet();
        var frames = new Dictionary<long, Entry>();
        foreach (var node in set.Order())
        {
            if (node >= 0 && node < _byNode.Count && _byNode[node] is { } ring)
            {
                foreach (var entry in ring.Entries())
                {
                    if (entry.Time >= since && set.Contains(entry.A) && set.Contains(entry.B))
                    {
                        frames[entry.Sequence] = entry;
                    }
                }
            }
        }

        var notes = _notes.Entries().Where(e => e.Time >= since && (e.A < 0 || set.Contains(e.A)));
        return [.. frames.Values.OrderBy(e => e.Sequence).TakeLast(limit).Concat(notes).OrderBy(e => e.Sequence).Select(e => e.ToString())];
    }

    /// <summary>The hash of everything folded so far, as hex.</summary>
    public string Hash()
    {
        Span<byte> digest = stackalloc byte[32];
        _hash.GetCurrentHash(digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>The last entries, oldest first, one line each.</summary>
    public IReadOnlyList<string> Recent()
    {
        var count = (int)Math.Min(_count, Capacity);
        var lines = new List<string>(count);
        for (var i = _count - count; i < _count; i++)
        {
            lines.Add(_recent[i % Capacity].ToString());
        }

        return lines;
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();

    private void Fold(byte tag, TimeSpan time, int a, int b, int c)
    {
        _header[0] = tag;
        BinaryPrimitives.WriteInt64BigEndian(_header.AsSpan(1), time.Ticks);
        BinaryPrimitives.WriteInt32BigEndian(_header.AsSpan(9), a);
        BinaryPrimitives.WriteInt32BigEndian(_header.AsSpan(13), b);
        BinaryPrimitives.WriteInt32BigEndian(_header.AsSpan(17), c);
        _hash.AppendData(_header.AsSpan(0, 21));
    }

    private Ring RingOf(int node)
    {
        while (_byNode.Count <= node)
        {
            _byNode.Add(null);
        }

        return _byNode[node] ??= new Ring(PerNodeCapacity);
    }

    private void Keep(Entry entry)
    {
        _recent[_count % Capacity] = entry;
        _count++;
    }

    /// <summary>A cheap digest of a frame for the printed trace (the SHA-256 above covers the bytes themselves).</summary>
    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 0xCBF2_9CE4_8422_2325UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 0x0000_0100_0000_01B3UL;
        }

        return hash;
    }

    /// <summary>One kept entry; formatted only when printed, so tracing millions of frames stays cheap.</summary>
    private readonly record struct Entry(byte Tag, TimeSpan Time, int A, int B, int C, ulong Digest, string? Text, long Sequence)
    {
        public override string ToString() => Tag switch
        {
            FrameTag => $"{Time.TotalMilliseconds,12:F3} ms frame  {A} -> {B} len {C} fnv {Digest:x16}",
            LookupTag => $"{Time.TotalMilliseconds,12:F3} ms lookup #{Digest} delivered at {A} hops {B}{(C == 1 ? "" : " INCONSISTENT")}",
            _ => $"{Time.TotalMilliseconds,12:F3} ms note   {Text}",
        };
    }

    /// <summary>The last entries of one node (or of the notes), overwritten oldest first.</summary>
    private sealed class Ring(int capacity)
    {
        private readonly Entry[] _entries = new Entry[capacity];
        private long _added;

        public void Add(Entry entry) => _entries[_added++ % _entries.Length] = entry;

        public IEnumerable<Entry> Entries()
        {
            for (var i = Math.Max(0, _added - _entries.Length); i < _added; i++)
            {
                yield return _entries[i % _entries.Length];
            }
        }
    }
}
