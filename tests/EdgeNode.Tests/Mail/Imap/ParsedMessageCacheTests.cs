using EPostEdge.EdgeNode.Mail.Imap.Search;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.Blocks;
using MimeKit;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap;

public sealed class ParsedMessageCacheTests
{
    private static MessageBodyRef Ref(int n) => new(BlockKey.Of(BitConverter.GetBytes(n)));

    [Fact]
    public void Keeps_at_most_capacity_small_messages_dropping_the_oldest()
    {
        var cache = new ParsedMessageCache(capacity: 2, maxMessageBytes: 100);
        var message = new MimeMessage();
        cache.Add(Ref(1), 10, message);
        cache.Add(Ref(2), 10, message);
        cache.Add(Ref(3), 10, message);
        cache.Add(Ref(4), 101, message);
        Assert.Equal(2, cache.Count);
        Assert.False(cache.TryGet(Ref(1), out _));
        Assert.True(cache.TryGet(Ref(3), out var found));
        Assert.Same(message, found);
        Assert.False(cache.TryGet(Ref(4), out _));
        cache.Clear();
        Assert.Equal(0, cache.Count);
    }
}
