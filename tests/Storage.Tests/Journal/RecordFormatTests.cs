using CsCheck;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Tests.Journal;

/// <summary>Properties of the record framing: what is written verifies, any damage does not.</summary>
public sealed class RecordFormatTests
{
    [Fact]
    public void A_framed_record_verifies_and_gives_back_its_sequence_kind_and_payload() =>
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Byte[1, 255], Gen.Byte.Array[0, 2000]).Sample((sequence, kind, payload) =>
        {
            var framed = new byte[RecordFormat.Overhead + payload.Length];
            RecordFormat.Write(framed, sequence, kind, payload);
            Assert.True(RecordFormat.TryVerify(framed, out var s, out var k));
            Assert.Equal(sequence, s);
            Assert.Equal(kind, k);
            Assert.Equal(payload, RecordFormat.Payload(framed).ToArray());
        });

    [Fact]
    public void Any_flipped_bit_or_cut_fails_verification() =>
        Gen.Select(Gen.Byte.Array[0, 500], Gen.Int[0, int.MaxValue], Gen.Int[0, 7], Gen.Int[1, 100]).Sample((payload, at, bit, cut) =>
        {
            var framed = new byte[RecordFormat.Overhead + payload.Length];
            RecordFormat.Write(framed, 42, 1, payload);

            var flipped = (byte[])framed.Clone();
            flipped[at % flipped.Length] ^= (byte)(1 << bit);
            Assert.False(RecordFormat.TryVerify(flipped, out _, out _));

            Assert.False(RecordFormat.TryVerify(framed.AsSpan(0, Math.Max(0, framed.Length - cut)), out _, out _));
        });

    [Fact]
    public void Segment_names_round_trip_and_sort_in_id_order() =>
        Gen.Select(Gen.Long[0, long.MaxValue / 2], Gen.Long[0, long.MaxValue / 2]).Sample((a, b) =>
        {
            Assert.True(RecordFormat.TryParseSegmentFileName(RecordFormat.SegmentFileName(a), out var parsed));
            Assert.Equal(a, parsed);
            Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(string.CompareOrdinal(RecordFormat.SegmentFileName(a), RecordFormat.SegmentFileName(b))));
        });
}
