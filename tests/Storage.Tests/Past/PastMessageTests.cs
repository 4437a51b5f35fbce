using CsCheck;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Past;

namespace EPostEdge.Storage.Tests.Past;

public sealed class PastMessageTests
{
    [Fact]
    public void Every_message_round_trips()
    {
        var header = Gen.Select(Gen.Byte[1, 12], Gen.ULong, Gen.Byte.Array[32], Gen.Byte[0, 3], Gen.Byte, Gen.ULong);
        Gen.Select(header, Gen.UInt, Gen.UShort, Gen.UShort, Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 50])
            .Sample((h, lease, index, count, payload, extra) =>
            {
                var (kind, request, key, held, status, version) = h;
                var message = new PastMessage
                {
                    Kind = (PastMessageKind)kind,
                    Request = request,
                    Key = new BlockKey(key),
                    Held = (HeldKind)held,
                    Status = status,
                    Version = version,
                    LeaseEpochs = lease,
                    Index = index,
                    Count = count,
                    Payload = payload,
                    Extra = extra,
                };
                Assert.True(PastMessage.TryDecode(message.Encode(), out var decoded));
                Assert.Equal(message.Encode(), decoded.Encode());
                Assert.Equal(message.Key, decoded.Key);
                Assert.Equal(payload, decoded.Payload.ToArray());
            });
    }

    [Fact]
    public void Garbage_and_every_truncation_are_refused_without_an_exception()
    {
        var valid = new PastMessage { Kind = PastMessageKind.Store, Key = BlockKey.Of([1]), Payload = new byte[40], Extra = new byte[9] }.Encode();
        for (var length = 0; length < valid.Length; length++)
        {
            Assert.False(PastMessage.TryDecode(valid.AsMemory(0, length), out _));
        }

        Gen.Byte.Array[0, 200].Sample(bytes => { _ = PastMessage.TryDecode(bytes, out _); });
    }
}
