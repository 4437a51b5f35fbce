using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace EPostEdge.EdgeNode.Budgets;

/// <summary>
/// The real <see cref="IProcessMemory"/>: /proc/self/statm (field 2, resident pages) and
/// /proc/self/status (VmHWM, kB), proc(5). Read into a reused buffer: the budget samples it
/// on every new connection under load, so it must cost microseconds and allocate nothing.
/// </summary>
public sealed class ProcSelfMemory : IProcessMemory
{
    private readonly Lock _gate = new();
    private readonly byte[] _buffer = new byte[4096];

    /// <inheritdoc />
    public MemorySample Sample()
    {
        long rss;
        long peak;
        lock (_gate)
        {
            rss = ReadField("/proc/self/statm", ""u8, 1) * Environment.SystemPageSize;
            peak = ReadField("/proc/self/status", "VmHWM:"u8, 0) * 1024;
        }

        var gc = GC.GetGCMemoryInfo();
        return new MemorySample(rss, Math.Max(peak, rss), gc.HeapSizeBytes, gc.TotalAvailableMemoryBytes);
    }

    /// <inheritdoc />
    public void Collect()
    {
        // Aggressive: compacts, decommits the free regions the GC would keep for the next burst,
        // and lets ArrayPool.Shared trim on the gen2 callback (what IdleCollector does when idle).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>The <paramref name="index"/>th number after <paramref name="label"/> (at a line start; "" = the file's start); 0 when absent.</summary>
    private long ReadField(string path, ReadOnlySpan<byte> label, int index)
    {
        int length;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path);
            length = RandomAccess.Read(handle, _buffer, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // not Linux, or /proc not mounted: no figure
        }

        var text = _buffer.AsSpan(0, length);
        var start = 0;
        if (label.Length > 0)
        {
            var at = text.IndexOf(label);
            if (at < 0)
            {
                return 0;
            }

            start = at + label.Length;
        }

        var rest = text[start..];
        for (var i = 0; ; i++)
        {
            var skip = 0;
            while (skip < rest.Length && rest[skip] is (byte)' ' or (byte)'\t')
            {
                skip++;
            }

            rest = rest[skip..];
            var end = 0;
            while (end < rest.Length && rest[end] is >= (byte)'0' and <= (byte)'9')
            {
                end++;
            }

            if (end == 0)
            {
                return 0;
            }

            if (i == index)
            {
                return long.Parse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture);
            }

            rest = rest[end..];
        }
    }
}
