using System.Globalization;

namespace EPostEdge.EdgeNode.Tests.EndToEnd.Load;

/// <summary>
/// Samples a process's resident set (VmRSS of /proc/PID/status, proc(5)) every period, as an
/// outside observer would; <see cref="ReadHighWaterMark"/> gives the kernel's own peak (VmHWM),
/// which no sampling interval can miss.
/// </summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;
    private long _samples;

    public RssSampler(int pid, TimeSpan period)
    {
        _pid = pid;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            do
            {
                if (Read(_pid, "VmRSS:") is { } rss)
                {
                    Last = rss;
                    Interlocked.Increment(ref _samples);
                    if (rss > Interlocked.Read(ref _peak))
                    {
                        Interlocked.Exchange(ref _peak, rss);
                    }
                }
                else
                {
                    ProcessGone = true;
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        });
    }

    public long PeakRssBytes => Interlocked.Read(ref _peak);

    public long Samples => Interlocked.Read(ref _samples);

    public long Last { get; private set; }

    /// <summary>The process was gone at some sample (it crashed or was killed).</summary>
    public bool ProcessGone { get; private set; }

    /// <summary>A field of /proc/PID/status in bytes ("VmRSS:", "VmHWM:"); null when the process is gone.</summary>
    public static long? Read(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone.
        }

        return null;
    }

    /// <summary>The kernel's peak resident set of the process since it started (VmHWM).</summary>
    public long? ReadHighWaterMark() => Read(_pid, "VmHWM:");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }
}
