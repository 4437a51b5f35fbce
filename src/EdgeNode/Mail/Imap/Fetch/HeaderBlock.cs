using MimeKit;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// The header block of one message (RFC 5322 §2.1) read by MimeKit's forward-only reader: each
/// field's byte range (folded continuation lines included) and where the body starts. Reading
/// stops at the blank line, so BODY[HEADER.FIELDS ...] never parses the body.
/// </summary>
internal sealed class HeaderBlock
{
    private readonly List<(string Field, int Start)> fields = [];

    private HeaderBlock()
    {
    }

    /// <summary>Offset where the blank line starts (equals <see cref="BodyStart"/> when there is none).</summary>
    public int SeparatorStart { get; private set; }

    /// <summary>Offset just after the blank line: BODY[HEADER] is [0, BodyStart).</summary>
    public int BodyStart { get; private set; }

    public int Count => fields.Count;

    public static HeaderBlock Read(ReadOnlyMemory<byte> message)
    {
        var block = new HeaderBlock();
        var reader = BlockReader.Rent(MessageOutline.OpenStream(message), block);
        bool ended;
        try
        {
            reader.ReadHeaders();
        }
        catch (FormatException)
        {
            // Unreadable header bytes: the fields read so far stand, the rest counts as body.
        }
        finally
        {
            ended = reader.Return();
        }

        if (!ended)
        {
            block.SeparatorStart = block.BodyStart = block.fields.Count == 0 ? 0 : message.Length;
        }

        return block;
    }

    public string FieldName(int index) => fields[index].Field;

    /// <summary>The bytes [start, end) of field <paramref name="index"/>, its continuation lines included.</summary>
    public (int Start, int End) FieldRange(int index) =>
        (fields[index].Start, index + 1 < fields.Count ? fields[index + 1].Start : SeparatorStart);

    /// <summary>MimeKit's reader, one kept per thread (reading is synchronous) to save its buffers.</summary>
    private sealed class BlockReader() : MimeReader(Stream.Null, MimeFormat.Default)
    {
        [ThreadStatic]
        private static BlockReader? cached;

        private HeaderBlock block = null!;
        private bool separatorSeen;

        public bool Ended { get; private set; }

        public static BlockReader Rent(Stream stream, HeaderBlock block)
        {
            var reader = cached ?? new BlockReader();
            cached = null;
            reader.block = block;
            reader.separatorSeen = false;
            reader.Ended = false;
            reader.SetStream(stream, MimeFormat.Default);
            return reader;
        }

        /// <summary>Back to the thread's slot without keeping the message alive; says whether the header block ended.</summary>
        public bool Return()
        {
            var ended = Ended;
            SetStream(Stream.Null, MimeFormat.Default);
            block = null!;
            cached = this;
            return ended;
        }

        protected override void OnHeaderRead(Header header, int beginLineNumber, CancellationToken cancellationToken)
        {
            block.fields.Add((header.Field, (int)(header.Offset ?? 0)));
        }

        protected override void OnBodySeparator(long beginOffset, int lineNumber, long endOffset, CancellationToken cancellationToken)
        {
            separatorSeen = true;
            block.SeparatorStart = (int)beginOffset;
        }

        protected override void OnHeadersEnd(long beginOffset, int beginLineNumber, long endOffset, int endLineNumber, CancellationToken cancellationToken)
        {
            Ended = true;
            block.BodyStart = (int)endOffset;
            if (!separatorSeen)
            {
                block.SeparatorStart = (int)endOffset;
            }
        }
    }
}
