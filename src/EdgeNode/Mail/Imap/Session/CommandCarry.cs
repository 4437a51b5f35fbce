using System.Buffers;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>
/// Holds the bytes of a command too large to leave in the connection's pipe (an APPEND literal of
/// megabytes): a pipe pauses its writer once too much is unconsumed, so a parser that consumes
/// nothing until the command is whole would wait forever. The session moves such bytes here.
/// </summary>
internal sealed class CommandCarry
{
    private byte[] _buffer = [];
    private int _start;
    private int _end;

    public int Length => _end - _start;

    public ReadOnlySequence<byte> Sequence => new(_buffer, _start, Length);

    public void Append(ReadOnlySequence<byte> bytes)
    {
        var needed = checked(Length + (int)bytes.Length);
        if (_buffer.Length - _start < needed)
        {
            var grown = needed <= _buffer.Length ? _buffer : new byte[Math.Max(needed, _buffer.Length * 2)];
            Array.Copy(_buffer, _start, grown, 0, Length);
            _end = Length;
            _start = 0;
            _buffer = grown;
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += (int)bytes.Length;
    }

    public void Consume(long count)
    {
        _start += (int)count;
        if (_start == _end)
        {
            // Done with the large command: give the memory back (the node idles at ~32 MiB).
            _buffer = [];
            _start = _end = 0;
        }
    }
}
