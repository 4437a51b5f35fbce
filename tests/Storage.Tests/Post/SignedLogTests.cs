using CsCheck;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Post;

public sealed class SignedLogTests : IDisposable
{
    private readonly SeededRandomSource _random = new(30);
    private readonly UserIdentity _owner;
    private readonly MemoryBlockStore _blocks = new();
    private readonly LogHeadStore _heads = new();

    public SignedLogTests() => _owner = UserIdentity.Create(_random);

    public void Dispose()
    {
        _owner.Dispose();
        _heads.Dispose();
    }

    private static byte[] Payload(int i) => System.Text.Encoding.UTF8.GetBytes($"message {i}");

    private async Task<SignedLog> LogWithAsync(int count)
    {
        var log = SignedLog.Open(_owner, "INBOX", _blocks, _heads, _random);
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync(Payload(i));
        }

        return log;
    }

    [Fact]
    public async Task An_empty_log_reads_as_empty()
    {
        using var log = SignedLog.Open(_owner, "INBOX", _blocks, _heads, _random);
        Assert.Null(log.Head);
        Assert.Empty(await log.ReadAsync());
    }

    [Fact]
    public async Task Appended_entries_read_back_in_order_with_one_version_per_append()
    {
        using var log = await LogWithAsync(25);
        var payloads = await log.ReadAsync();
        Assert.Equal(Enumerable.Range(0, 25).Select(Payload), payloads);
        Assert.Equal(25UL, log.Head!.Version);
        Assert.Equal(25, _blocks.Count);
    }

    [Fact]
    public void Any_payloads_round_trip() =>
        Gen.Select(Gen.ULong, Gen.Byte.Array[0, 2048].Array[1, 12]).Sample((seed, payloads) =>
        {
            var random = new SeededRandomSource(seed);
            using var owner = UserIdentity.Create(random);
            using var heads = new LogHeadStore();
            using var log = SignedLog.Open(owner, "Sent", new MemoryBlockStore(), heads, random);
            foreach (var payload in payloads)
            {
                log.AppendAsync(payload).AsTask().GetAwaiter().GetResult();
            }

            Assert.Equal(payloads, log.ReadAsync().AsTask().GetAwaiter().GetResult());
        }, iter: 30);

    [Fact]
    public async Task The_chain_links_each_entry_to_its_predecessor_by_hash()
    {
        using var log = await LogWithAsync(5);
        var entries = await SignedLog.VerifyChainAsync(log.Head!, _owner.PublicKeys, "INBOX", _blocks);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (ulong)i), entries.Select(e => e.Index));
        Assert.Null(entries[0].Previous);
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].Key, entries[i].Previous);
        }

        Assert.Equal(log.Head!.Newest, entries[^1].Key);
    }

    [Fact]
    public async Task A_reader_with_only_public_keys_verifies_head_and_chain_but_cannot_read_payloads()
    {
        using var log = await LogWithAsync(4);

        // What another node receives: the head's bytes and the blocks; what it knows: the owner's public keys.
        var headBytes = log.Head!.Encode();
        var ownerKeys = UserPublicKeys.Decode(_owner.PublicKeys.Encode());
        var entries = await SignedLog.VerifyChainAsync(LogHead.Decode(headBytes), ownerKeys, "INBOX", _blocks);
        Assert.Equal(4, entries.Count);

        using var stranger = UserIdentity.Create(_random);
        Assert.Equal(SecureBlockOpenFailure.NotAReader, Assert.Throws<SecureBlockOpenException>(() => entries[0].OpenPayload(stranger)).Failure);
        Assert.Equal(Payload(0), entries[0].OpenPayload(_owner));
    }

    [Fact]
    public async Task Verification_refuses_a_head_for_another_owner_or_log_or_with_a_bad_signature()
    {
        using var log = await LogWithAsync(2);
        using var stranger = UserIdentity.Create(_random);
        var head = log.Head!;
        await Assert.ThrowsAsync<LogChainException>(async () => await SignedLog.VerifyChainAsync(head, stranger.PublicKeys, "INBOX", _blocks));
        await Assert.ThrowsAsync<LogChainException>(async () => await SignedLog.VerifyChainAsync(head, _owner.PublicKeys, "Sent", _blocks));

        var forged = new LogHead(_owner.PublicKeys, "INBOX", 3, head.Newest, stranger.Sign(LogHead.SignedMessage(_owner.PublicKeys, "INBOX", 3, head.Newest)));
        await Assert.ThrowsAsync<LogChainException>(async () => await SignedLog.VerifyChainAsync(forged, _owner.PublicKeys, "INBOX", _blocks));
    }

    [Fact]
    public async Task A_missing_or_corrupt_entry_breaks_the_chain()
    {
        using var log = await LogWithAsync(3);
        var entries = await SignedLog.VerifyChainAsync(log.Head!, _owner.PublicKeys, "INBOX", _blocks);

        _blocks.Corrupt(entries[1].Key, bytes =>
        {
            bytes[^1] ^= 1;
            return bytes;
        });
        await Assert.ThrowsAsync<LogChainException>(async () => await log.ReadAsync());

        _blocks.Remove(entries[1].Key);
        await Assert.ThrowsAsync<LogChainException>(async () => await log.ReadAsync());
    }

    [Fact]
    public async Task A_head_naming_a_block_that_is_not_an_entry_is_refused()
    {
        var stray = await _blocks.PutAsync(new byte[] { 9, 9, 9 });
        var head = LogHead.Sign(_owner, "INBOX", 1, stray);
        await Assert.ThrowsAsync<LogChainException>(async () => await SignedLog.VerifyChainAsync(head, _owner.PublicKeys, "INBOX", _blocks));
    }

    [Fact]
    public async Task A_reopened_log_continues_from_the_held_head()
    {
        using (var first = await LogWithAsync(3))
        {
            Assert.Equal(3UL, first.Head!.Version);
        }

        using var reopened = SignedLog.Open(_owner, "INBOX", _blocks, _heads, _random);
        await reopened.AppendAsync(Payload(3));
        Assert.Equal(Enumerable.Range(0, 4).Select(Payload), await reopened.ReadAsync());
    }

    [Fact]
    public async Task A_log_rebuilt_from_journaled_heads_reads_the_same()
    {
        var journal = new List<byte[]>();
        using (var heads = new LogHeadStore(record =>
        {
            journal.Add(record.ToArray());
            return ValueTask.CompletedTask;
        }))
        using (var log = SignedLog.Open(_owner, "INBOX", _blocks, heads, _random))
        {
            for (var i = 0; i < 5; i++)
            {
                await log.AppendAsync(Payload(i));
            }
        }

        using var replayed = new LogHeadStore();
        foreach (var record in Enumerable.Reverse(journal))
        {
            replayed.Replay(record);
        }

        using var again = SignedLog.Open(_owner, "INBOX", _blocks, replayed, _random);
        Assert.Equal(5UL, again.Head!.Version);
        Assert.Equal(Enumerable.Range(0, 5).Select(Payload), await again.ReadAsync());
        Assert.Single(journal, r => replayed.IsCurrent(r));
    }

    [Fact]
    public async Task An_append_bases_on_the_held_head_even_if_another_writer_moved_it()
    {
        using var log = await LogWithAsync(1);
        Assert.True(_heads.TryAccept(LogHead.Sign(_owner, "INBOX", 10, log.Head!.Newest), out _));
        await log.AppendAsync(Payload(1));
        Assert.Equal(11UL, log.Head!.Version);
        Assert.Equal([Payload(0), Payload(1)], await log.ReadAsync());
    }

    [Fact]
    public async Task An_append_whose_head_is_overtaken_while_journaling_is_refused_and_the_log_does_not_move()
    {
        LogHeadStore? heads = null;
        LogHead? overtaking = null;
        heads = new LogHeadStore(record =>
        {
            // While our head is being journaled, a newer head for the same log is replayed in.
            if (overtaking is not null)
            {
                heads!.Replay(overtaking.Encode());
            }

            return ValueTask.CompletedTask;
        });
        using (heads)
        {
            using var log = SignedLog.Open(_owner, "INBOX", _blocks, heads, _random);
            await log.AppendAsync(Payload(0));
            overtaking = LogHead.Sign(_owner, "INBOX", 5, log.Head!.Newest);

            var e = await Assert.ThrowsAsync<LogHeadRejectedException>(async () => await log.AppendAsync(Payload(1)));
            Assert.Equal(LogHeadRejection.StaleVersion, e.Rejection);
            Assert.Equal(5UL, log.Head!.Version);
            Assert.Equal([Payload(0)], await log.ReadAsync());
        }
    }

    [Fact]
    public async Task Concurrent_appends_through_one_log_do_not_fork()
    {
        using var log = SignedLog.Open(_owner, "INBOX", _blocks, _heads, new SeededRandomSource(31));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => log.AppendAsync(Payload(i)).AsTask()));
        var payloads = await log.ReadAsync();
        Assert.Equal(20, payloads.Count);
        Assert.Equal(20UL, log.Head!.Version);
        Assert.Equal(Enumerable.Range(0, 20).Select(Payload).OrderBy(Convert.ToHexString), payloads.OrderBy(Convert.ToHexString));
    }
}
