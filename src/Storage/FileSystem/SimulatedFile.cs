using EPostEdge.Overlay.Seams;

namespace EPostEdge.Storage.FileSystem;

/// <summary>
/// One file of the <see cref="CrashModelFileSystem"/>: its durable bytes, its current bytes
/// (what reads see) and the writes in between, in order, that a crash decides about.
/// </summary>
internal sealed class SimulatedFile
{
    private readonly List<PendingOperation> _pending = [];
    private byte[] _durable = [];

    /// <summary>What reads see now.</summary>
    public List<byte> Current { get; private set; } = [];

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        Apply(Current, offset, data);
        _pending.Add(new PendingOperation(offset, data.ToArray(), NewLength: -1));
    }

    public void SetLength(long length)
    {
        Resize(Current, length);
        _pending.Add(new PendingOperation(0, [], length));
    }

    /// <summary>
    /// fsync: the pending writes become durable. Not "whatever reads see": after a failed
    /// fsync the dropped writes are still readable but were marked clean, and no later fsync
    /// writes them.
    /// </summary>
    public void Sync()
    {
        var image = new List<byte>(_durable);
        foreach (var op in _pending)
        {
            if (op.NewLength >= 0)
            {
                Resize(image, op.NewLength);
            }
            else
            {
                Apply(image, op.Offset, op.Data);
            }
        }

        _durable = [.. image];
        _pending.Clear();
    }

    /// <summary>
    /// A failed fsync (fsyncgate): the kernel drops the dirty pages and marks them clean, so
    /// the data stays readable until the next crash, but a later fsync will not save it.
    /// </summary>
    public void FailSync() => _pending.Clear();

    public void Crash(IRandomSource random, CrashOutcomeRates rates)
    {
        var image = new List<byte>(_durable);
        var total = rates.Keep + rates.Drop + rates.Garble;
        foreach (var op in _pending)
        {
            var roll = random.NextDouble() * total;
            if (op.NewLength >= 0)
            {
                if (roll < rates.Keep + rates.Garble)
                {
                    Resize(image, op.NewLength); // a truncate either happened or not
                }

                continue;
            }

            if (roll < rates.Keep)
            {
                Apply(image, op.Offset, op.Data);
            }
            else if (roll < rates.Keep + rates.Garble)
            {
                // A torn write: some prefix landed, the rest of the range holds junk.
                var garbled = (byte[])op.Data.Clone();
                var tornAt = random.NextInt32(garbled.Length + 1);
                random.NextBytes(garbled.AsSpan(tornAt));
                Apply(image, op.Offset, garbled);
            }
        }

        _durable = [.. image];
        Current = image;
        _pending.Clear();
    }

    public void FlipBit(long offset, int bit)
    {
        var mask = (byte)(1 << (bit & 7));
        if (offset < Current.Count)
        {
            Current[(int)offset] ^= mask;
        }

        if (offset < _durable.Length)
        {
            _durable[offset] ^= mask;
        }
    }

    private static void Apply(List<byte> target, long offset, ReadOnlySpan<byte> data)
    {
        if (target.Count < offset + data.Length)
        {
            Resize(target, offset + data.Length);
        }

        for (var i = 0; i < data.Length; i++)
        {
            target[(int)offset + i] = data[i];
        }
    }

    private static void Resize(List<byte> target, long length)
    {
        if (length < target.Count)
        {
            target.RemoveRange((int)length, target.Count - (int)length);
        }
        else
        {
            target.AddRange(new byte[length - target.Count]);
        }
    }

    private readonly record struct PendingOperation(long Offset, byte[] Data, long NewLength);
}
