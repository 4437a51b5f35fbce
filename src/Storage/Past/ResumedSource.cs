using System.Threading.Tasks.Sources;

namespace EPostEdge.Storage.Past;

/// <summary>
/// A one-shot awaitable result whose continuation always runs inside <c>resume</c> (the node's
/// <c>Execute</c>): when the result arrives after the await registered, and when the await
/// registers after the result arrived (where a completed Task would hand the continuation to the
/// thread pool). Awaited once, as a <see cref="ValueTask{TResult}"/>.
/// </summary>
internal sealed class ResumedSource<T>(Action<Action> resume) : IValueTaskSource<T>
{
    private readonly Lock _gate = new();
    private Task<T>? _completed;
    private Action<object?>? _continuation;
    private object? _state;

    /// <summary>Takes the finished task's outcome and runs a waiting continuation inside resume.</summary>
    public void Complete(Task<T> finished)
    {
        Action<object?>? continuation;
        object? state;
        lock (_gate)
        {
            _completed = finished;
            continuation = _continuation;
            state = _state;
        }

        if (continuation is not null)
        {
            resume(() => continuation(state));
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token)
    {
        lock (_gate)
        {
            return _completed switch
            {
                null => ValueTaskSourceStatus.Pending,
                { IsCompletedSuccessfully: true } => ValueTaskSourceStatus.Succeeded,
                { IsCanceled: true } => ValueTaskSourceStatus.Canceled,
                _ => ValueTaskSourceStatus.Faulted,
            };
        }
    }

    /// <inheritdoc />
    public T GetResult(short token)
    {
        Task<T> completed;
        lock (_gate)
        {
            completed = _completed ?? throw new InvalidOperationException("the result is not there yet");
        }

        return completed.GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        lock (_gate)
        {
            if (_completed is null)
            {
                _continuation = continuation;
                _state = state;
                return;
            }
        }

        resume(() => continuation(state));
    }
}
