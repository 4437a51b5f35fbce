using MimeKit;
using MimeKit.Utils;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// What IMAP SEARCH (RFC 9051 §6.4.4) asks of one message's bytes: header-field, BODY and TEXT
/// substring matches and the Date: header. Matching is case-insensitive on decoded text: header
/// values have RFC 2047 encoded-words decoded, bodies are the text/* parts with their transfer
/// encoding and charset removed. The header block is parsed on first use, the body only when a
/// BODY or TEXT key needs it.
/// </summary>
public sealed class MessageSearchText
{
    private readonly ReadOnlyMemory<byte> message;
    private HeaderList? headers;
    private List<string>? texts;

    /// <summary>Wraps the message bytes; nothing is parsed yet.</summary>
    public MessageSearchText(ReadOnlyMemory<byte> message)
    {
        this.message = message;
    }

    /// <summary>
    /// The Date: header (SENTBEFORE, SENTON, SENTSINCE) with its zone; null when absent or
    /// unparsable (such messages match no SENT* key, as in Dovecot).
    /// </summary>
    public DateTimeOffset? SentDate
    {
        get
        {
            var list = Headers;
            var index = list.IndexOf(HeaderId.Date);
            return index >= 0 && DateUtils.TryParse(list[index].RawValue, out var date) ? date : null;
        }
    }

    private HeaderList Headers => headers ??= MessageOutline.ParseHeaders(message);

    /// <summary>
    /// HEADER field-name string (and FROM, TO, CC, BCC, SUBJECT): a header with that name whose
    /// decoded value contains <paramref name="value"/>; an empty value matches any such header.
    /// </summary>
    public bool HeaderContains(string field, string value)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var header in Headers)
        {
            if (header.Field.Equals(field, StringComparison.OrdinalIgnoreCase)
                && (value.Length == 0 || Decode(header).Contains(value, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>BODY string: some decoded text part contains <paramref name="value"/>.</summary>
    public bool BodyContains(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var text in Texts())
        {
            if (text.Contains(value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>TEXT string: the header or the body contains <paramref name="value"/>.</summary>
    public bool TextContains(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var header in Headers)
        {
            if (header.Field.Contains(value, StringComparison.OrdinalIgnoreCase)
                || Decode(header).Contains(value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return BodyContains(value);
    }

    private static string Decode(Header header) =>
        Rfc2047.DecodeText(ParserOptions.Default, header.RawValue).Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal);

    private List<string> Texts()
    {
        if (texts is not null)
        {
            return texts;
        }

        texts = [];
        var outline = MessageOutline.Parse(message);
        foreach (var part in outline.Message.BodyParts)
        {
            if (part is TextPart text)
            {
                try
                {
                    texts.Add(text.Text);
                }
                catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException)
                {
                    // An undecodable charset leaves the part unsearchable rather than failing SEARCH.
                }
            }
        }

        if (outline.Unreadable)
        {
            texts.Add(System.Text.Encoding.UTF8.GetString(message.Span));
        }

        return texts;
    }
}
