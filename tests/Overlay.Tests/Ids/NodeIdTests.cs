using System.Numerics;
using CsCheck;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Seams;
using static EPostEdge.Overlay.Tests.Ids.IdModel;

namespace EPostEdge.Overlay.Tests.Ids;

/// <summary>
/// <see cref="NodeId"/>'s word-wise 160-bit arithmetic against a <see cref="BigInteger"/> model
/// (Pastry §2: a circular id space of 2^160; every node must agree on each key's owner).
/// </summary>
public sealed class NodeIdTests
{
    private const int Iterations = 5000;

    [Fact]
    public void Minus_is_subtraction_mod_2_to_the_160() =>
        Pairs.Sample((a, b) => Assert.Equal(Mod(ToBig(a) - ToBig(b)), ToBig(a.Minus(b))), iter: Iterations);

    [Fact]
    public void Plus_is_addition_mod_2_to_the_160() =>
        Pairs.Sample((a, b) => Assert.Equal(Mod(ToBig(a) + ToBig(b)), ToBig(a.Plus(b))), iter: Iterations);

    [Fact]
    public void Plus_undoes_Minus() =>
        Pairs.Sample((a, b) => Assert.Equal(a, a.Minus(b).Plus(b)), iter: Iterations);

    [Fact]
    public void Distance_is_the_shorter_way_round_symmetric_and_at_most_half_the_ring() =>
        Pairs.Sample((a, b) =>
        {
            var distance = ToBig(a.Distance(b));
            Assert.Equal(IdModel.Distance(ToBig(a), ToBig(b)), distance);
            Assert.Equal(a.Distance(b), b.Distance(a));
            Assert.True(distance <= HalfRing);
            Assert.Equal(a == b, distance.IsZero);
        }, iter: Iterations);

    [Fact]
    public void Distance_of_antipodes_is_exactly_half_the_ring() =>
        GenId.Sample(a =>
        {
            Assert.Equal(NodeId.Half, a.Distance(a.Plus(NodeId.Half)));
            Assert.Equal(HalfRing, ToBig(NodeId.Half));
        });

    [Fact]
    public void IsCloser_is_a_strict_total_order_with_ties_to_the_smaller_id() =>
        Gen.Select(GenId, Pairs).Sample((key, pair) =>
        {
            var (a, b) = pair;
            Assert.Equal(IdModel.IsCloser(ToBig(key), ToBig(a), ToBig(b)), key.IsCloser(a, b));
            Assert.False(key.IsCloser(a, a));
            if (a != b)
            {
                Assert.True(key.IsCloser(a, b) ^ key.IsCloser(b, a), $"key {key}: exactly one of {a}, {b} is closer");
            }
        }, iter: Iterations);

    [Fact]
    public void IsCloser_breaks_an_exact_tie_towards_the_smaller_id() =>
        Gen.Select(GenId, Gen.Select(Gen.ULong, Gen.ULong).Where((h, l) => h != 0 || l != 0)).Sample((key, offset) =>
        {
            // a and b equally far from the key on opposite sides.
            var delta = FromBig((new BigInteger(offset.Item1) << 64) | offset.Item2);
            var (a, b) = (key.Plus(delta), key.Minus(delta));
            if (a == b)
            {
                return; // delta = half the ring: the same point
            }

            var smaller = a < b ? a : b;
            var larger = a < b ? b : a;
            Assert.Equal(key.Distance(a), key.Distance(b));
            Assert.True(key.IsCloser(smaller, larger));
            Assert.False(key.IsCloser(larger, smaller));
        }, iter: Iterations);

    [Fact]
    public void ClosestOf_equals_brute_force() =>
        Gen.Select(GenId, GenId.Array[1, 40]).Sample((key, candidates) =>
        {
            var k = ToBig(key);
            var expected = candidates.Select(ToBig).Aggregate((best, c) => IdModel.IsCloser(k, c, best) ? c : best);
            Assert.Equal(expected, ToBig(key.ClosestOf(candidates)));

            // Order does not matter: every node must pick the same owner.
            Assert.Equal(key.ClosestOf(candidates), key.ClosestOf(candidates.Reverse()));
        }, iter: 2000);

    [Fact]
    public void ClosestOf_nothing_throws() =>
        Assert.Throws<ArgumentException>(() => NodeId.Zero.ClosestOf([]));

    [Fact]
    public void SharedPrefixLength_and_Digit_agree_with_hex_strings() =>
        Gen.Select(Bytes, Bytes, Gen.Int[0, NodeId.Size]).Sample((x, y, shared) =>
        {
            byte[] z = [.. x[..shared], .. y[shared..]];
            var (hx, hz) = (Convert.ToHexStringLower(x), Convert.ToHexStringLower(z));
            var (a, b) = (NodeId.Read(x), NodeId.Read(z));
            var expected = 0;
            while (expected < NodeId.Digits && hx[expected] == hz[expected])
            {
                expected++;
            }

            Assert.Equal(expected, a.SharedPrefixLength(b));
            Assert.Equal(expected, b.SharedPrefixLength(a));
            for (var i = 0; i < NodeId.Digits; i++)
            {
                Assert.Equal(Convert.ToInt32(hx[i].ToString(), 16), a.Digit(i));
            }
        }, iter: Iterations);

    [Fact]
    public void Digit_outside_0_to_39_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeId.Max.Digit(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeId.Max.Digit(NodeId.Digits));
    }

    [Fact]
    public void Midpoint_lies_halfway_along_the_clockwise_arc() =>
        Pairs.Sample((from, to) =>
        {
            var arc = Mod(ToBig(to) - ToBig(from));
            var mid = from.Midpoint(to);
            Assert.Equal(Mod(ToBig(from) + (arc / 2)), ToBig(mid));
            if (arc > 1)
            {
                Assert.True(mid.IsBetweenClockwise(from, to));
            }
        }, iter: Iterations);

    [Fact]
    public void IsBetweenClockwise_matches_the_model() =>
        Gen.Select(GenId, Pairs).Sample((x, pair) =>
        {
            var (from, to) = pair;
            var (bx, bf, bt) = (ToBig(x), ToBig(from), ToBig(to));
            var expected = bx != bf && (bf == bt || Mod(bx - bf) <= Mod(bt - bf));
            Assert.Equal(expected, x.IsBetweenClockwise(from, to));
            Assert.Equal(from != to, to.IsBetweenClockwise(from, to));
            Assert.False(from.IsBetweenClockwise(from, to));
        }, iter: Iterations);

    [Fact]
    public void ToString_Parse_Read_and_WriteTo_round_trip() =>
        Bytes.Sample(bytes =>
        {
            var id = NodeId.Read(bytes);
            var hex = Convert.ToHexStringLower(bytes);
            Assert.Equal(hex, id.ToString());
            Assert.Equal(hex[..8], id.ToShortString());
            Assert.Equal(id, NodeId.Parse(hex));
            Assert.Equal(id, NodeId.Parse(hex.ToUpperInvariant()));
            Assert.Equal(bytes, id.ToBytes());

            // WriteTo writes 20 bytes and leaves the rest; Read takes the first 20 of a longer span.
            var buffer = Enumerable.Repeat((byte)0xA5, NodeId.Size + 5).ToArray();
            id.WriteTo(buffer.AsSpan(2));
            Assert.Equal(bytes, buffer[2..(2 + NodeId.Size)]);
            Assert.All(buffer[..2].Concat(buffer[(2 + NodeId.Size)..]), b => Assert.Equal(0xA5, b));
            Assert.Equal(id, NodeId.Read(buffer.AsSpan(2)));
        }, iter: Iterations);

    [Fact]
    public void TryParse_accepts_exactly_40_hex_digits() =>
        Gen.Select(Gen.Int[30, 50], Gen.Int[0, 30]).SelectMany((length, alphabet) =>
                Gen.Char["0123456789abcdefABCDEF"[..Math.Min(22, 16 + alphabet)] + (alphabet > 22 ? "gx+- \u0660\uff10" : "")].Array[length])
            .Sample(chars =>
            {
                var text = new string(chars);
                var valid = text.Length == NodeId.Digits && text.All(Uri.IsHexDigit);
                Assert.Equal(valid, NodeId.TryParse(text, out var id));
                if (valid)
                {
                    Assert.Equal(text.ToLowerInvariant(), id.ToString());
                }
                else
                {
                    Assert.Equal(NodeId.Zero, id);
                    Assert.Throws<FormatException>(() => NodeId.Parse(text));
                }
            }, iter: Iterations);

    [Fact]
    public void TryParse_refuses_null_and_prefixed_hex()
    {
        Assert.False(NodeId.TryParse(null, out _));
        Assert.False(NodeId.TryParse("0x" + new string('0', 38), out _));
        Assert.False(NodeId.TryParse(" " + new string('0', 39), out _));
    }

    [Fact]
    public void Read_and_WriteTo_refuse_short_spans()
    {
        Assert.Throws<ArgumentException>(() => NodeId.Read(new byte[NodeId.Size - 1]));
        Assert.Throws<ArgumentException>(() => NodeId.Max.WriteTo(new byte[NodeId.Size - 1]));
    }

    [Fact]
    public void CompareTo_equality_and_operators_follow_the_numeric_order() =>
        Pairs.Sample((a, b) =>
        {
            var expected = ToBig(a).CompareTo(ToBig(b));
            Assert.Equal(expected, Math.Sign(a.CompareTo(b)));
            Assert.Equal(-expected, Math.Sign(b.CompareTo(a)));
            Assert.Equal(expected == 0, a == b);
            Assert.Equal(expected != 0, a != b);
            Assert.Equal(expected == 0, a.Equals((object)b));
            Assert.Equal(expected < 0, a < b);
            Assert.Equal(expected > 0, a > b);
            Assert.Equal(expected <= 0, a <= b);
            Assert.Equal(expected >= 0, a >= b);
            if (expected == 0)
            {
                Assert.Equal(a.GetHashCode(), b.GetHashCode());
            }
        }, iter: Iterations);

    [Fact]
    public void Constants_are_the_ring_edges()
    {
        Assert.Equal(BigInteger.Zero, ToBig(NodeId.Zero));
        Assert.Equal(Ring - 1, ToBig(NodeId.Max));
        Assert.Equal(NodeId.Zero, NodeId.Max.Plus(FromBig(1)));
        Assert.Equal(NodeId.Max, NodeId.Zero.Minus(FromBig(1)));
    }

    [Fact]
    public void ToFraction_is_the_position_on_the_ring() =>
        GenId.Sample(id =>
        {
            var fraction = id.ToFraction();
            Assert.InRange(fraction, 0.0, 1.0);
            Assert.True(Math.Abs(fraction - ((double)ToBig(id) / (double)Ring)) < 1e-15);
        });

    [Fact]
    public void Hash_is_the_first_160_bits_of_SHA256() =>
        Gen.Byte.Array[0, 100].Sample(content =>
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(content)[..NodeId.Size], NodeId.Hash(content).ToBytes()));

    [Fact]
    public void Random_draws_every_bit_from_the_source()
    {
        var ids = Enumerable.Range(0, 64).Select(i => NodeId.Random(new SeededRandomSource((ulong)i))).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(NodeId.Random(new SeededRandomSource(3)), ids[3]);
        var or = ids.Aggregate(NodeId.Zero, (acc, id) => FromBig(ToBig(acc) | ToBig(id)));
        Assert.Equal(NodeId.Max, or);
    }
}
