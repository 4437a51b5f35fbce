using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// Keeps the node's last <see cref="Capacity"/> warning and error lines in a ring buffer for the
/// health page ("last errors"), and counts them since start for <c>/metrics</c>. The journal has
/// them all; the page shows what a person looking at a misbehaving box wants first.
/// </summary>
public sealed class RecentLogProvider(TimeProvider time) : ILoggerProvider
{
    /// <summary>Lines kept.</summary>
    public const int Capacity = 20;

    /// <summary>Longest message kept, in characters (a stack-sized message must not fill memory or the page).</summary>
    public const int MaxMessageLength = 500;

    private readonly Lock _gate = new();
    private readonly LogLine[] _ring = new LogLine[Capacity];
    private int _next;
    private int _count;
    private long _warnings;
    private long _errors;

    /// <summary>Warnings logged since start.</summary>
    public long Warnings => Interlocked.Read(ref _warnings);

    /// <summary>Errors and critical lines logged since start.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The kept lines, newest first.</summary>
    public IReadOnlyList<LogLine> Lines()
    {
        lock (_gate)
        {
            var lines = new LogLine[_count];
            for (var i = 0; i < _count; i++)
            {
                lines[i] = _ring[(_next - 1 - i + Capacity) % Capacity];
            }

            return lines;
        }
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, string message)
    {
        if (message.Length > MaxMessageLength)
        {
            message = string.Concat(message.AsSpan(0, MaxMessageLength - 1), "…");
        }

        Interlocked.Increment(ref level == LogLevel.Warning ? ref _warnings : ref _errors);
        var line = new LogLine(time.GetUtcNow(), level, category, message);
        lock (_gate)
        {
            _ring[_next] = line;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    private sealed class Logger(RecentLogProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Warning and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            }

            owner.Add(logLevel, category, message);
        }
    }
}
