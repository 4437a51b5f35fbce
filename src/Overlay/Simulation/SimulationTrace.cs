using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// The run's event trace, folded as it happens into one SHA-256 (<see cref="Hash"/>): two runs with
/// the same seed must produce the same hash byte for byte (issue 5 acceptance). The last
/// <see cref="Capacity"/> entries are kept so a checker's violation can print a minimal trace.
/// </summary>
public sealed class SimulationTrace : IDisposable
{
    /// <summary>How many recent entries are kept for <see cref="Recent"/>.</summary>
    public const int Capacity = 200;

    private const byte FrameTag = 1;
    private const byte LookupTag = 2;
    private const byte NoteTag = 3;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Entry[] _recent = new Entry[Capacity];
    private readonly byte[] _header = new byte[32];
    private long _count;

    /// <summary>Entries folded so far.</summary>
    public long Count => _count;

    /// <summary>Folds one delivered frame: time, source, destination, length and the bytes themselves.</summary>
    public void Frame(TimeSpan time, int source, int destination, ReadOnlySpan<byte> bytes)
    {
        Fold(FrameTag, time, source, destination, bytes.Length);
        _hash.AppendData(bytes);
        Keep(new Entry(FrameTag, time, source, destination, bytes.Length, Fnv1a(bytes), null));
    }

    /// <summary>Folds one lookup delivery: time, where it was delivered, its number and hop count.</summary>
    public void Lookup(TimeSpan time, int node, long lookup, int hops, bool consistent)
    {
        Fold(LookupTag, time, node, hops, consistent ? 1 : 0);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, lookup);
        _hash.AppendData(number);
        Keep(new Entry(LookupTag, time, node, hops, consistent ? 1 : 0, (ulong)lookup, null));
    }

    /// <summary>Folds a scenario step (kill, restart, partition...), so the hash also covers what was done to the run.</summary>
    public void Note(TimeSpan time, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Fold(NoteTag, time, 0, 0, text.Length);
        _hash.AppendData(System.Text.Encoding.UTF8.GetBytes(text));
        Keep(new Entry(NoteTag, time, 0, 0, 0, 0, text));
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
    private readonly record struct Entry(byte Tag, TimeSpan Time, int A, int B, int C, ulong Digest, string? Text)
    {
        public override string ToString() => Tag switch
        {
            FrameTag => $"{Time.TotalMilliseconds,12:F3} ms frame  {A} -> {B} len {C} fnv {Digest:x16}",
            LookupTag => $"{Time.TotalMilliseconds,12:F3} ms lookup #{Digest} delivered at {A} hops {B}{(C == 1 ? "" : " INCONSISTENT")}",
            _ => $"{Time.TotalMilliseconds,12:F3} ms note   {Text}",
        };
    }
}
