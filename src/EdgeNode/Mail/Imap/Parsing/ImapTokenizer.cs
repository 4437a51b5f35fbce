using System.Buffers;
using System.Text;

namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>
/// Splits one framed command (its lines and literals, ending in CRLF) into tag, name and tokens
/// (RFC 9051 §9). Lenient where clients differ harmlessly (extra spaces), strict elsewhere.
/// </summary>
internal static class ImapTokenizer
{
    private const int MaxDepth = 32;

    /// <summary>tag = 1*&lt;any ASTRING-CHAR except "+"&gt;.</summary>
    public static bool IsTagChar(byte b) =>
        b > 0x20 && b < 0x7f && b is not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\' or (byte)'+');

    public static ImapCommand Tokenize(ReadOnlySequence<byte> bytes)
    {
        var r = new SequenceReader<byte>(bytes);
        var tag = ReadWhile(ref r, static b => IsTagChar(b));
        if (tag.Length == 0 || tag.Length > 64 || !r.IsNext((byte)' ', advancePast: true))
        {
            return ImapCommand.Failed(tag.Length is > 0 and <= 64 ? tag : "*", ImapCommandError.Syntax, "Missing command");
        }

        var name = ReadWhile(ref r, static b => b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'=').ToUpperInvariant();
        var isUid = false;
        if (name == "UID")
        {
            isUid = true;
            if (!r.IsNext((byte)' ', advancePast: true))
            {
                return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Missing command after UID", name);
            }

            name = ReadWhile(ref r, static b => b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z').ToUpperInvariant();
        }

        if (name.Length == 0)
        {
            return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Missing command");
        }

        var top = new List<ImapToken>();
        var stack = new Stack<List<ImapToken>>();
        var current = top;
        while (true)
        {
            if (!r.TryPeek(out var b))
            {
                return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Truncated command", name);
            }

            switch (b)
            {
                case (byte)'\r':
                    if (stack.Count > 0 || !r.IsNext("\r\n"u8) || r.Remaining != 2)
                    {
                        return ImapCommand.Failed(tag, ImapCommandError.Syntax, stack.Count > 0 ? "Unbalanced parenthesis" : "Bare CR", name);
                    }

                    return new ImapCommand(tag, name, isUid, top);
                case (byte)' ':
                    r.Advance(1);
                    break;
                case (byte)'(':
                    if (stack.Count >= MaxDepth)
                    {
                        return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Lists nested too deep", name);
                    }

                    r.Advance(1);
                    stack.Push(current);
                    current = [];
                    break;
                case (byte)')':
                    if (stack.Count == 0)
                    {
                        return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Unbalanced parenthesis", name);
                    }

                    r.Advance(1);
                    var list = ImapToken.List(current);
                    current = stack.Pop();
                    current.Add(list);
                    break;
                case (byte)'"':
                    if (!TryReadQuoted(ref r, out var quoted))
                    {
                        return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Bad quoted string", name);
                    }

                    current.Add(ImapToken.Quoted(quoted));
                    break;
                case (byte)'{' or (byte)'~':
                    if (!TryReadLiteral(ref r, out var literal))
                    {
                        return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Bad literal", name);
                    }

                    current.Add(literal);
                    break;
                default:
                    if (!TryReadAtom(ref r, out var atom))
                    {
                        return ImapCommand.Failed(tag, ImapCommandError.Syntax, "Bad character", name);
                    }

                    current.Add(ImapToken.Atom(atom));
                    break;
            }
        }
    }

    private static string ReadWhile(ref SequenceReader<byte> r, Func<byte, bool> accept)
    {
        var start = r.Position;
        var n = 0;
        while (r.TryPeek(out var b) && accept(b))
        {
            r.Advance(1);
            n++;
        }

        return n == 0 ? string.Empty : Encoding.ASCII.GetString(r.Sequence.Slice(start, n));
    }

    /// <summary>An atom; a '[' opens a section that runs to its ']' whatever it holds (fetch-att, resp codes).</summary>
    private static bool TryReadAtom(ref SequenceReader<byte> r, out string atom)
    {
        var start = r.Position;
        long n = 0;
        var depth = 0;
        while (r.TryPeek(out var b))
        {
            if (b is (byte)'\r' or (byte)'\n' or 0 || b == 0x7f)
            {
                if (depth > 0 || b is not (byte)'\r')
                {
                    atom = string.Empty;
                    return false;
                }

                break;
            }

            if (depth == 0 && b is (byte)' ' or (byte)'(' or (byte)')' or (byte)'"' or (byte)'{')
            {
                break;
            }

            if (b == (byte)'[')
            {
                depth++;
            }
            else if (b == (byte)']' && depth > 0)
            {
                depth--;
            }

            r.Advance(1);
            n++;
        }

        atom = n == 0 || depth > 0 ? string.Empty : Encoding.UTF8.GetString(r.Sequence.Slice(start, n));
        return atom.Length > 0;
    }

    private static bool TryReadQuoted(ref SequenceReader<byte> r, out string text)
    {
        text = string.Empty;
        r.Advance(1);
        var buffer = new ArrayBufferWriter<byte>(64);
        while (r.TryRead(out var b))
        {
            switch (b)
            {
                case (byte)'"':
                    text = Encoding.UTF8.GetString(buffer.WrittenSpan);
                    return true;
                case (byte)'\\':
                    if (!r.TryRead(out var escaped) || escaped is not ((byte)'"' or (byte)'\\'))
                    {
                        return false;
                    }

                    buffer.Write([escaped]);
                    break;
                case (byte)'\r' or (byte)'\n' or 0:
                    return false;
                default:
                    buffer.Write([b]);
                    break;
            }
        }

        return false;
    }

    private static bool TryReadLiteral(ref SequenceReader<byte> r, out ImapToken literal)
    {
        literal = null!;
        var binary = r.IsNext((byte)'~', advancePast: true);
        if (!r.IsNext((byte)'{', advancePast: true))
        {
            return false;
        }

        long length = 0;
        var digits = 0;
        while (r.TryPeek(out var d) && d is >= (byte)'0' and <= (byte)'9')
        {
            length = (length * 10) + (d - '0');
            digits++;
            r.Advance(1);
        }

        r.IsNext((byte)'+', advancePast: true);
        if (digits == 0 || !r.IsNext("}\r\n"u8, advancePast: true) || r.Remaining < length)
        {
            return false;
        }

        var bytes = new byte[length];
        r.TryCopyTo(bytes);
        r.Advance(length);
        literal = ImapToken.Literal(bytes, binary);
        return true;
    }
}
