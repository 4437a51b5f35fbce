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
        using var stream = MessageOutline.OpenStream(message);
        var reader = new BlockReader(stream, block);
        try
        {
            reader.ReadHeaders();
        }
        catch (FormatException)
        {
            // Unreadable header bytes: the fields read so far stand, the rest counts as body.
        }

        if (!reader.Ended)
        {
            block.SeparatorStart = block.BodyStart = block.fields.Count == 0 ? 0 : message.Length;
        }

        return block;
    }

    public string FieldName(int index) => fields[index].Field;

    /// <summary>The bytes [start, end) of field <paramref name="index"/>, its continuation lines included.</summary>
    public (int Start, int End) FieldRange(int index) =>
        (fields[index].Start, index + 1 < fields.Count ? fields[index + 1].Start : SeparatorStart);

    private sealed class BlockReader(Stream stream, HeaderBlock block) : MimeReader(stream, MimeFormat.Default)
    {
        private bool separatorSeen;

        public bool Ended { get; private set; }

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
