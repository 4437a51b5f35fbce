namespace EPostEdge.Storage.FileSystem;

/// <summary>
/// A seekable <see cref="Stream"/> over an <see cref="IFileHandle"/>, so libraries that want a
/// stream (LiteDB's data and log files) still go through the disk seam. <see cref="Flush"/>
/// fsyncs: LiteDB flushes at commit and checkpoint, which is exactly when it needs durability.
/// </summary>
public sealed class FileHandleStream : Stream
{
    private readonly IFileHandle _file;
    private long _position;

    /// <summary>Wraps <paramref name="file"/>; the stream owns it and disposes it.</summary>
    public FileHandleStream(IFileHandle file) => _file = file ?? throw new ArgumentNullException(nameof(file));

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => _file.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <inheritdoc />
    public override void Flush() => _file.Sync();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var read = _file.Read(_position, buffer);
        _position += read;
        return read;
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _file.Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    /// <inheritdoc />
    public override void SetLength(long value) => _file.SetLength(value);

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _file.Write(_position, buffer);
        _position += buffer.Length;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
