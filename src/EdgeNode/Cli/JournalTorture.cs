using System.Buffers.Binary;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge journal-torture</c>: appends self-describing records from several writers
/// forever and prints each record's sequence only after its fsync returned. Kill it at any
/// moment (SIGKILL, or pull the plug on a real board) and every printed record must still be
/// there: the power-cut test does exactly that, and on a new SD card it tells whether the card
/// honours fsync.
/// </summary>
internal static class JournalTorture
{
    /// <summary>Record kind the torture writes (any caller kind works; 1 is as good as any).</summary>
    public const byte Kind = 1;

    public static async Task<int> RunAsync(string directory, int writers, long run, long maxRecords, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new JournalOptions { SegmentSizeBytes = 256 * 1024 }; // small: exercise rotation
        await using var journal = JournalLog.Open(new PhysicalFileSystem(), directory, options);
        await output.WriteLineAsync($"open {journal.OpenReport}").ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        var printLock = new Lock();
        long written = 0;

        async Task WriterAsync(int writer)
        {
            for (long counter = 0; !cancellationToken.IsCancellationRequested; counter++)
            {
                if (Interlocked.Increment(ref written) > maxRecords)
                {
                    return;
                }

                var payload = MakePayload(run, writer, counter);
                var position = await journal.AppendAsync(Kind, payload, cancellationToken).ConfigureAwait(false);
                lock (printLock)
                {
                    // Printed only now: the record is durable.
                    output.WriteLine($"{position.Sequence} {run} {writer} {counter}");
                    output.Flush();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriterAsync(w), cancellationToken))).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The payload for (run, writer, counter): an id header and filler derived from it, 24..279 bytes.</summary>
    public static byte[] MakePayload(long run, int writer, long counter)
    {
        var seed = (ulong)((run * 1_000_003) ^ (writer * 7919L) ^ (counter * 104_729L));
        var length = 24 + (int)(seed % 256);
        var payload = new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(payload, run);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), writer);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(12), counter);
        var x = seed | 1;
        for (var i = 20; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            payload[i] = (byte)x;
        }

        return payload;
    }
}
