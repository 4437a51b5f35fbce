using System.Buffers;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>IDLE (RFC 2177, RFC 9051 §6.3.13): push folder changes until the client says DONE.</summary>
internal sealed partial class ImapSession
{
    private async Task IdleAsync(string tag, CancellationToken cancellationToken)
    {
        var selected = _selected;
        using var signal = new SemaphoreSlim(0, int.MaxValue);
        using var idleEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watch = selected?.Folder.Watch(() => signal.Release());
        try
        {
            ImapResponseWriter.Raw(Output, "+ idling\r\n"u8);
            selected?.WriteUpdates(Output, allowExpunge: true, _condstore);
            await Output.FlushAsync(cancellationToken);

            ArmTimer();
            var read = Input.ReadAsync(cancellationToken).AsTask();
            var changed = signal.WaitAsync(idleEnd.Token);
            while (true)
            {
                var done = await Task.WhenAny(read, changed);
                if (done == changed)
                {
                    await changed;
                    selected?.WriteUpdates(Output, allowExpunge: true, _condstore);
                    await Output.FlushAsync(cancellationToken);
                    changed = signal.WaitAsync(idleEnd.Token);
                    continue;
                }

                var result = await read;
                if (result.IsCanceled && _timedOut)
                {
                    ImapResponseWriter.Untagged(Output, "BYE Autologout; idle for too long");
                    _state = ImapSessionState.Logout;
                    return;
                }

                var found = TryTakeLine(result.Buffer, out var line, out var consumed);
                if (found)
                {
                    Input.AdvanceTo(consumed);
                    if (line is not null && line.Equals("DONE", StringComparison.OrdinalIgnoreCase))
                    {
                        Complete(tag, "IDLE terminated");
                    }
                    else
                    {
                        Bad(tag, "Expected DONE");
                    }

                    return;
                }

                Input.AdvanceTo(consumed, result.Buffer.End);
                if (result.IsCompleted)
                {
                    _state = ImapSessionState.Logout;
                    return;
                }

                read = Input.ReadAsync(cancellationToken).AsTask();
            }
        }
        finally
        {
            // Ends the pending wait so nothing stays registered on the session's token.
            await idleEnd.CancelAsync();
        }
    }
}
