using CsCheck;
using EPostEdge.EdgeNode.Mail.Imap.Session;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Tests.Mail.Imap;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Tests.Mail.Imap.Session;

/// <summary>The cache over folders of the real mail store (a folder instance is part of the key).</summary>
public sealed class BodyCacheTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Date = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private ImapTestStore _store = null!;

    public async Task InitializeAsync() => _store = await ImapTestStore.OpenAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task ReadAsync_with_keep_serves_the_next_read_from_memory()
    {
        var (folder, message, body) = await FolderWithOneMessageAsync();
        var cache = new BodyCache(64 * 1024);

        var first = await cache.ReadAsync(folder, message, keep: true, CancellationToken.None);

        Assert.Equal(body, first.ToArray());
        Assert.Equal(1, cache.Count);
        Assert.Equal(body.Length, cache.Bytes);
        Assert.True(cache.TryGet(folder, message.Body.Block, out var cached));
        Assert.Equal(body, cached.ToArray());
    }

    [Fact]
    public async Task ReadAsync_without_keep_holds_nothing()
    {
        var (folder, message, body) = await FolderWithOneMessageAsync();
        var cache = new BodyCache(64 * 1024);

        var read = await cache.ReadAsync(folder, message, keep: false, CancellationToken.None);

        Assert.Equal(body, read.ToArray());
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(folder, message.Body.Block, out _));
    }

    [Fact]
    public async Task A_body_is_found_only_through_the_folder_it_was_read_from()
    {
        var (folder, message, _) = await FolderWithOneMessageAsync();
        var other = _store.Folder("Archive");
        var cache = new BodyCache(64 * 1024);

        await cache.ReadAsync(folder, message, keep: true, CancellationToken.None);

        Assert.False(cache.TryGet(other, message.Body.Block, out _));
    }

    [Fact]
    public void The_least_recently_used_body_goes_first()
    {
        var folder = _store.Inbox;
        var cache = new BodyCache(8000);
        var keys = Enumerable.Range(0, 9).Select(i => Key(i)).ToArray();
        for (var i = 0; i < 8; i++)
        {
            cache.Add(folder, keys[i], new byte[1000]);
        }

        Assert.True(cache.TryGet(folder, keys[0], out _)); // now the most recent
        cache.Add(folder, keys[8], new byte[1000]);

        Assert.Equal(8000, cache.Bytes);
        Assert.True(cache.TryGet(folder, keys[0], out _));
        Assert.False(cache.TryGet(folder, keys[1], out _));
        Assert.True(cache.TryGet(folder, keys[8], out _));
    }

    [Fact]
    public void A_body_larger_than_an_eighth_of_the_capacity_is_not_kept()
    {
        var folder = _store.Inbox;
        var cache = new BodyCache(8000);

        cache.Add(folder, Key(1), new byte[1001]);
        cache.Add(folder, Key(2), new byte[1000]);

        Assert.False(cache.TryGet(folder, Key(1), out _));
        Assert.True(cache.TryGet(folder, Key(2), out _));
    }

    [Fact]
    public void Clear_drops_every_body()
    {
        var folder = _store.Inbox;
        var cache = new BodyCache(8000);
        cache.Add(folder, Key(1), new byte[10]);
        cache.Add(folder, Key(2), new byte[10]);

        cache.Clear();

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
        Assert.False(cache.TryGet(folder, Key(1), out _));
    }

    [Fact]
    public void A_capacity_of_zero_keeps_nothing()
    {
        var folder = _store.Inbox;
        var cache = new BodyCache(0);

        cache.Add(folder, Key(1), new byte[1]);

        Assert.Equal(0, cache.Count);
    }

    /// <summary>Against a model LRU: same hits, same bytes, never over capacity.</summary>
    [Fact]
    public void Any_sequence_of_adds_and_reads_matches_a_model_and_stays_within_capacity()
    {
        const int capacity = 4000;
        var op = Gen.Select(Gen.Bool, Gen.Int[0, 15], Gen.Int[0, 600]);
        op.Array[1, 80].Sample(ops =>
        {
            var folder = _store.Inbox;
            var cache = new BodyCache(capacity);
            var model = new List<(int Id, int Length)>(); // most recent first
            foreach (var (add, id, length) in ops)
            {
                if (add)
                {
                    cache.Add(folder, Key(id), Body(id, length));
                    if (length <= capacity / 8 && model.All(e => e.Id != id))
                    {
                        while (model.Sum(e => e.Length) + length > capacity)
                        {
                            model.RemoveAt(model.Count - 1);
                        }

                        model.Insert(0, (id, length));
                    }
                }
                else
                {
                    var hit = cache.TryGet(folder, Key(id), out var body);
                    var at = model.FindIndex(e => e.Id == id);
                    Assert.Equal(at >= 0, hit);
                    if (hit)
                    {
                        Assert.Equal(model[at].Length, body.Length);
                        Assert.True(body.Span.SequenceEqual(Body(id, model[at].Length)));
                        var entry = model[at];
                        model.RemoveAt(at);
                        model.Insert(0, entry);
                    }
                }

                Assert.Equal(model.Sum(e => e.Length), cache.Bytes);
                Assert.True(cache.Bytes <= capacity);
            }
        });
    }

    private static BlockKey Key(int id) => BlockKey.Of(BitConverter.GetBytes(id));

    private static byte[] Body(int id, int length) => Enumerable.Repeat((byte)id, length).ToArray();

    private async Task<(IMailFolder Folder, MessageSummary Message, byte[] Body)> FolderWithOneMessageAsync()
    {
        var folder = _store.Inbox;
        var body = "Subject: cached\r\n\r\nhello\r\n"u8.ToArray();
        await folder.AppendAsync(body, MessageFlags.None, [], Date);
        return (folder, folder.Snapshot().Messages[0], body);
    }
}
