using System.Buffers;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>, as a pipe would hand out.</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    private BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>The bytes as two segments, the first holding <paramref name="at"/> bytes.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, int at)
    {
        var first = new BufferSegment(data.AsMemory(0, at), 0);
        var second = new BufferSegment(data.AsMemory(at), at);
        first.Next = second;
        return new ReadOnlySequence<byte>(first, 0, second, data.Length - at);
    }
}
