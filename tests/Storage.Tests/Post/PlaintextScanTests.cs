using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Tests.Post;

/// <summary>Unit-level half of the "no plaintext at rest" check: sealed bytes never contain a known marker.</summary>
public sealed class PlaintextScanTests
{
    private static readonly byte[] Marker = "EPOST-PLAINTEXT-MARKER-7f3a9c"u8.ToArray();

    private static byte[] Repeated(int times) => [.. Enumerable.Repeat(Marker, times).SelectMany(m => m)];

    private static void AssertNoMarker(ReadOnlySpan<byte> bytes)
    {
        // Also look for any 8-byte window of the marker, so a partial leak is caught too.
        for (var i = 0; i + 8 <= Marker.Length; i++)
        {
            Assert.Equal(-1, bytes.IndexOf(Marker.AsSpan(i, 8)));
        }
    }

    [Fact]
    public void Sealed_blocks_do_not_contain_the_plaintext()
    {
        var random = new SeededRandomSource(40);
        using var owner = UserIdentity.Create(random);
        using var friend = UserIdentity.Create(random);
        foreach (var times in new[] { 1, 2, 100, 2000 })
        {
            AssertNoMarker(SecureBlock.Seal(Repeated(times), owner.PublicKeys, [friend.PublicKeys], random));
        }
    }

    [Fact]
    public async Task Log_entries_and_heads_do_not_contain_the_plaintext()
    {
        var random = new SeededRandomSource(41);
        using var owner = UserIdentity.Create(random);
        var blocks = new MemoryBlockStore();
        var journal = new List<byte[]>();
        using var heads = new LogHeadStore(record =>
        {
            journal.Add(record.ToArray());
            return ValueTask.CompletedTask;
        });
        using var log = SignedLog.Open(owner, "INBOX", blocks, heads, random);
        for (var i = 0; i < 10; i++)
        {
            await log.AppendAsync(Repeated(i + 1));
        }

        Assert.Equal(10, blocks.Count);
        foreach (var block in blocks.AllBlocks)
        {
            AssertNoMarker(block);
        }

        foreach (var record in journal)
        {
            AssertNoMarker(record);
        }
    }
}
