using System.Runtime.InteropServices;
using MimeKit;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// A message parsed once by MimeKit, with every entity's byte offsets recorded (MimeParser's
/// entity begin/end callbacks). Content is not copied: the parser runs on a persistent stream
/// over the caller's bytes and the renderer slices those bytes itself.
/// </summary>
internal sealed class MessageOutline
{
    private MessageOutline(MimeMessage message, OutlinePart root, bool unreadable = false)
    {
        Message = message;
        Root = root;
        Unreadable = unreadable;
    }

    public MimeMessage Message { get; }

    public OutlinePart Root { get; }

    /// <summary>MimeKit could not read a header block; the outline is one text/plain body of all bytes.</summary>
    public bool Unreadable { get; }

    public static MessageOutline Parse(ReadOnlyMemory<byte> bytes)
    {
        // Not disposed: with a persistent stream MimeKit's part content stays a window on it, and
        // SEARCH reads text parts through that window after the parse.
        var stream = OpenStream(bytes);
        var parser = OutlineParser.Rent(stream);
        try
        {
            var message = parser.ParseMessage();
            if (parser.Root is { } root)
            {
                return new MessageOutline(message, root);
            }
        }
        catch (FormatException)
        {
            // MimeKit rejects input it cannot read as a header block; such bytes still render as a
            // headerless text/plain message (RFC 9051 never lets FETCH fail on content).
        }
        finally
        {
            parser.Return();
        }

        var body = new TextPart("plain");
        body.Headers.Remove(HeaderId.ContentType); // so it renders as RFC 2045's default type
        var fallback = new MimeMessage { Body = body };
        var part = new OutlinePart(body, 0) { HeadersEnd = 0, End = bytes.Length };
        return new MessageOutline(fallback, part, unreadable: true);
    }

    /// <summary>The top-level header fields only (ENVELOPE, SEARCH); empty when unreadable.</summary>
    public static HeaderList ParseHeaders(ReadOnlyMemory<byte> bytes)
    {
        var parser = OutlineParser.Rent(OpenStream(bytes));
        try
        {
            return parser.ParseHeaders();
        }
        catch (FormatException)
        {
            return [];
        }
        finally
        {
            parser.Return();
        }
    }

    /// <summary>A read-only stream over the bytes, without copying when they sit in an array.</summary>
    public static MemoryStream OpenStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    /// <summary>
    /// RFC 9051 §6.4.5: part numbers of a message; a non-multipart message has the single part 1
    /// (its body), and the parts of an encapsulated message/rfc822 are its body's parts.
    /// </summary>
    public OutlinePart? Resolve(IReadOnlyList<int> path)
    {
        OutlinePart? current = null;
        for (var i = 0; i < path.Count; i++)
        {
            var number = path[i];
            if (i == 0)
            {
                current = PartOfMessage(Root, number);
            }
            else if (current!.IsMultipart)
            {
                current = number >= 1 && number <= current.Children.Count ? current.Children[number - 1] : null;
            }
            else if (current.IsMessage)
            {
                current = PartOfMessage(current.Children[0], number);
            }
            else
            {
                current = null;
            }

            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    private static OutlinePart? PartOfMessage(OutlinePart messageRoot, int number)
    {
        if (messageRoot.IsMultipart)
        {
            return number >= 1 && number <= messageRoot.Children.Count ? messageRoot.Children[number - 1] : null;
        }

        return number == 1 ? messageRoot : null;
    }

    /// <summary>
    /// MimeKit's parser with entity offsets recorded. One is kept per thread and re-pointed at each
    /// message (parsing is synchronous), which saves its buffers on every FETCH.
    /// </summary>
    private sealed class OutlineParser() : MimeParser(ParserOptions.Default, Stream.Null, persistent: true)
    {
        [ThreadStatic]
        private static OutlineParser? cached;

        private readonly Stack<OutlinePart> open = new();

        public OutlinePart? Root { get; private set; }

        public static OutlineParser Rent(Stream stream)
        {
            var parser = cached ?? new OutlineParser();
            cached = null;
            parser.open.Clear();
            parser.Root = null;
            parser.SetStream(stream, persistent: true);
            return parser;
        }

        /// <summary>Back to the thread's slot, without keeping the message alive.</summary>
        public void Return()
        {
            SetStream(Stream.Null, persistent: true);
            open.Clear();
            Root = null;
            cached = this;
        }

        protected override void OnMimeEntityBegin(MimeEntityBeginEventArgs args)
        {
            var part = new OutlinePart(args.Entity, args.BeginOffset);
            if (open.TryPeek(out var parent))
            {
                parent.Children.Add(part);
            }
            else
            {
                Root ??= part;
            }

            open.Push(part);
            base.OnMimeEntityBegin(args);
        }

        protected override void OnMimeEntityEnd(MimeEntityEndEventArgs args)
        {
            if (open.TryPop(out var part))
            {
                part.HeadersEnd = args.HeadersEndOffset;
                part.End = args.EndOffset;
            }

            base.OnMimeEntityEnd(args);
        }
    }
}
