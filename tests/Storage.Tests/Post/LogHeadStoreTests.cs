using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Post;

public sealed class LogHeadStoreTests : IDisposable
{
    private readonly SeededRandomSource _random = new(20);
    private readonly UserIdentity _owner;
    private readonly UserIdentity _mallory;
    private readonly LogHeadStore _store = new();

    public LogHeadStoreTests()
    {
        _owner = UserIdentity.Create(_random);
        _mallory = UserIdentity.Create(_random);
    }

    public void Dispose()
    {
        _owner.Dispose();
        _mallory.Dispose();
        _store.Dispose();
    }

    private LogHead Head(ulong version, string entry = "e") => LogHead.Sign(_owner, "INBOX", version, BlockKey.Of(System.Text.Encoding.UTF8.GetBytes(entry)));

    private void Accept(LogHead head)
    {
        Assert.True(_store.TryAccept(head, out var reason));
        Assert.Equal(LogHeadRejection.None, reason);
    }

    [Fact]
    public void Higher_version_is_accepted_and_held()
    {
        Accept(Head(1));
        Accept(Head(5));
        Assert.True(_store.TryGet(_owner.Id, "INBOX", out var held));
        Assert.Equal(5UL, held.Version);
    }

    [Fact]
    public void Lower_version_is_rejected()
    {
        Accept(Head(5));
        Assert.False(_store.TryAccept(Head(4), out var reason));
        Assert.Equal(LogHeadRejection.StaleVersion, reason);
        Assert.True(_store.TryGet(_owner.Id, "INBOX", out var held));
        Assert.Equal(5UL, held.Version);
    }

    [Fact]
    public void Equal_version_with_different_hash_is_rejected_as_a_fork()
    {
        Accept(Head(5, "a"));
        Assert.False(_store.TryAccept(Head(5, "b"), out var reason));
        Assert.Equal(LogHeadRejection.ConflictingVersion, reason);
    }

    [Fact]
    public void Equal_version_with_same_content_is_an_idempotent_duplicate()
    {
        Accept(Head(5));
        Assert.True(_store.TryAccept(Head(5), out var reason));
        Assert.Equal(LogHeadRejection.Duplicate, reason);
    }

    [Fact]
    public void A_flipped_signature_bit_is_rejected()
    {
        var encoded = Head(1).Encode();
        encoded[^1] ^= 0x80;
        Assert.False(_store.TryAccept(LogHead.Decode(encoded), out var reason));
        Assert.Equal(LogHeadRejection.BadSignature, reason);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void A_head_for_the_owner_signed_by_another_key_is_rejected()
    {
        Accept(Head(1));
        var message = LogHead.SignedMessage(_owner.PublicKeys, "INBOX", 99, BlockKey.Of("evil"u8));
        var forged = new LogHead(_owner.PublicKeys, "INBOX", 99, BlockKey.Of("evil"u8), _mallory.Sign(message));
        Assert.False(_store.TryAccept(forged, out var reason));
        Assert.Equal(LogHeadRejection.BadSignature, reason);
        Assert.True(_store.TryGet(_owner.Id, "INBOX", out var held));
        Assert.Equal(1UL, held.Version);
    }

    [Fact]
    public void Logs_are_held_per_owner_and_name()
    {
        Accept(Head(5));
        Accept(LogHead.Sign(_owner, "Sent", 1, null));
        Accept(LogHead.Sign(_mallory, "INBOX", 1, null));
        Assert.Equal(3, _store.Count);
    }

    [Fact]
    public async Task Accepted_heads_are_journaled_before_they_are_held_and_duplicates_are_not()
    {
        var journal = new List<byte[]>();
        using var store = new LogHeadStore(record =>
        {
            journal.Add(record.ToArray());
            return ValueTask.CompletedTask;
        });

        Assert.Equal(LogHeadRejection.None, await store.AcceptAsync(Head(1)));
        Assert.Equal(LogHeadRejection.Duplicate, await store.AcceptAsync(Head(1)));
        Assert.Equal(LogHeadRejection.StaleVersion, await store.AcceptAsync(Head(0)));
        Assert.Equal(LogHeadRejection.None, await store.AcceptAsync(Head(2)));
        Assert.Equal(2, journal.Count);
        Assert.Throws<InvalidOperationException>(() => store.TryAccept(Head(3), out _));
    }

    [Fact]
    public async Task A_failed_journal_write_leaves_the_old_head()
    {
        using var store = new LogHeadStore(_ => throw new IOException("disk full"));
        await Assert.ThrowsAsync<IOException>(async () => await store.AcceptAsync(Head(1)));
        Assert.False(store.TryGet(_owner.Id, "INBOX", out _));
    }

    [Fact]
    public void Replay_applies_the_same_rule_in_any_record_order()
    {
        var v3 = Head(3).Encode();
        var v5 = Head(5).Encode();
        var v5Fork = Head(5, "fork").Encode();
        var v4 = Head(4).Encode();
        var badSignature = Head(9).Encode();
        badSignature[^1] ^= 1;
        var forged = new LogHead(_owner.PublicKeys, "INBOX", 10, null, _mallory.Sign(LogHead.SignedMessage(_owner.PublicKeys, "INBOX", 10, null))).Encode();

        Assert.Equal(LogHeadRejection.None, _store.Replay(v3));
        Assert.Equal(LogHeadRejection.None, _store.Replay(v5));
        Assert.Equal(LogHeadRejection.StaleVersion, _store.Replay(v4));
        Assert.Equal(LogHeadRejection.Duplicate, _store.Replay(v5));
        Assert.Equal(LogHeadRejection.ConflictingVersion, _store.Replay(v5Fork));
        Assert.Equal(LogHeadRejection.StaleVersion, _store.Replay(v3));
        Assert.Equal(LogHeadRejection.BadSignature, _store.Replay(badSignature));
        Assert.Equal(LogHeadRejection.BadSignature, _store.Replay(forged));
        Assert.Equal(LogHeadRejection.Malformed, _store.Replay(v5.AsSpan(0, 10)));

        Assert.True(_store.TryGet(_owner.Id, "INBOX", out var held));
        Assert.Equal(v5, held.Encode());
        Assert.True(_store.IsCurrent(v5));
        Assert.False(_store.IsCurrent(v3));
        Assert.False(_store.IsCurrent(v5Fork));
        Assert.False(_store.IsCurrent([1, 2, 3]));
    }

    [Fact]
    public async Task Concurrent_offers_end_at_the_highest_version()
    {
        var heads = Enumerable.Range(1, 200).Select(v => Head((ulong)v)).ToArray();
        await Parallel.ForEachAsync(heads.Reverse(), async (head, ct) => await _store.AcceptAsync(head, ct));
        Assert.True(_store.TryGet(_owner.Id, "INBOX", out var held));
        Assert.Equal(200UL, held.Version);
    }
}
