using EPostEdge.EdgeNode.Mail.Mailbox;
using MimeKit;

namespace EPostEdge.EdgeNode.Mail.Imap.Search;

/// <summary>
/// The few most recently parsed messages of one session, so a client repeating a header or text
/// SEARCH does not re-read and re-parse the same small messages. Bounded by count and by message
/// size (the node idles at ~32 MiB); a MimeMessage is not shared across sessions because reading
/// its content moves a shared stream position.
/// </summary>
public sealed class ParsedMessageCache
{
    private readonly int _capacity;
    private readonly long _maxMessageBytes;
    private readonly Dictionary<MessageBodyRef, MimeMessage> _messages = [];
    private readonly Queue<MessageBodyRef> _order = new();

    public ParsedMessageCache(int capacity = 8, long maxMessageBytes = 64 * 1024)
    {
        _capacity = capacity;
        _maxMessageBytes = maxMessageBytes;
    }

    public int Count => _messages.Count;

    public bool TryGet(MessageBodyRef body, out MimeMessage message) => _messages.TryGetValue(body, out message!);

    /// <summary>Keeps the message if it is small enough, dropping the oldest entry when full.</summary>
    public void Add(MessageBodyRef body, long size, MimeMessage message)
    {
        if (size > _maxMessageBytes || _capacity == 0 || _messages.ContainsKey(body))
        {
            return;
        }

        if (_messages.Count >= _capacity)
        {
            _messages.Remove(_order.Dequeue());
        }

        _messages[body] = message;
        _order.Enqueue(body);
    }

    public void Clear()
    {
        _messages.Clear();
        _order.Clear();
    }
}
