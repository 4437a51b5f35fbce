using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Journal;

/// <summary>Writes a new segment file sequentially through a buffer (compaction's output).</summary>
internal sealed class SegmentWriter(IFileHandle file) : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _buffered;
    private long _flushed;

    /// <summary>Offset the next record will have.</summary>
    public long Position => _flushed + _buffered;

    public void WriteHeader(long segmentId)
    {
        Span<byte> header = stackalloc byte[RecordFormat.SegmentHeaderSize];
        RecordFormat.WriteSegmentHeader(header, segmentId);
        Append(header);
    }

    /// <summary>Frames and writes one record; returns its offset.</summary>
    public long WriteRecord(long sequence, byte kind, ReadOnlySpan<byte> payload)
    {
        var offset = Position;
        var framed = new byte[RecordFormat.Overhead + payload.Length];
        RecordFormat.Write(framed, sequence, kind, payload);
        Append(framed);
        return offset;
    }

    public void Flush()
    {
        if (_buffered > 0)
        {
            file.Write(_flushed, _buffer.AsSpan(0, _buffered));
            _flushed += _buffered;
            _buffered = 0;
        }
    }

    public void Dispose() => Flush();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _buffered)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                file.Write(_flushed, bytes);
                _flushed += bytes.Length;
                return;
            }
        }

        bytes.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
    }
}
