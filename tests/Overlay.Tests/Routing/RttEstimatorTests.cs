using CsCheck;
using EPostEdge.Overlay.Routing;

namespace EPostEdge.Overlay.Tests.Routing;

/// <summary><see cref="RttEstimator"/>: RFC 6298 §2 arithmetic, and Bamboo's bounds on the timeout.</summary>
public sealed class RttEstimatorTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Maximum = TimeSpan.FromSeconds(5);

    [Fact]
    public void Before_any_sample_the_timeout_is_the_initial_one()
    {
        var rtt = new RttEstimator(Initial, Minimum, Maximum);
        Assert.Null(rtt.Smoothed);
        Assert.Equal(Initial, rtt.Timeout);
    }

    [Fact]
    public void A_known_sample_sequence_gives_the_RFC_6298_numbers()
    {
        var rtt = new RttEstimator(Initial, TimeSpan.Zero, TimeSpan.FromHours(1));

        // §2.2, first R = 100: SRTT = R = 100, RTTVAR = R/2 = 50, RTO = SRTT + 4·RTTVAR = 300.
        rtt.Add(TimeSpan.FromMilliseconds(100));
        AssertMs(100, rtt.Smoothed!.Value);
        AssertMs(300, rtt.Timeout);

        // §2.3, R' = 200: RTTVAR = 3/4·50 + 1/4·|100 − 200| = 62.5 (with the old SRTT),
        // then SRTT = 7/8·100 + 1/8·200 = 112.5; RTO = 112.5 + 4·62.5 = 362.5.
        rtt.Add(TimeSpan.FromMilliseconds(200));
        AssertMs(112.5, rtt.Smoothed!.Value);
        AssertMs(362.5, rtt.Timeout);

        // R' = 50: RTTVAR = 3/4·62.5 + 1/4·|112.5 − 50| = 62.5; SRTT = 7/8·112.5 + 1/8·50 = 104.6875;
        // RTO = 104.6875 + 250 = 354.6875.
        rtt.Add(TimeSpan.FromMilliseconds(50));
        AssertMs(104.6875, rtt.Smoothed!.Value);
        AssertMs(354.6875, rtt.Timeout);

        // R' = 104.6875 (equal to SRTT): RTTVAR decays by 3/4 to 46.875; SRTT stays; RTO = 292.1875.
        rtt.Add(TimeSpan.FromMilliseconds(104.6875));
        AssertMs(104.6875, rtt.Smoothed!.Value);
        AssertMs(292.1875, rtt.Timeout);
    }

    [Fact]
    public void The_timeout_stays_within_the_bounds_and_SRTT_within_the_samples() =>
        Gen.Int[0, 20_000].Array[1, 50].Sample(samples =>
        {
            var rtt = new RttEstimator(Initial, Minimum, Maximum);
            foreach (var ms in samples)
            {
                rtt.Add(TimeSpan.FromMilliseconds(ms));
                Assert.InRange(rtt.Timeout, Minimum, Maximum);
            }

            Assert.InRange(rtt.Smoothed!.Value.TotalMilliseconds, samples.Min() - 1e-6, samples.Max() + 1e-6);
        });

    [Fact]
    public void Fast_links_get_the_minimum_and_slow_ones_the_maximum()
    {
        var fast = new RttEstimator(Initial, Minimum, Maximum);
        var slow = new RttEstimator(Initial, Minimum, Maximum);
        for (var i = 0; i < 20; i++)
        {
            fast.Add(TimeSpan.FromMilliseconds(1));
            slow.Add(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(Minimum, fast.Timeout);
        Assert.Equal(Maximum, slow.Timeout);
    }

    [Fact]
    public void A_negative_sample_counts_as_zero()
    {
        var rtt = new RttEstimator(Initial, TimeSpan.Zero, Maximum);
        rtt.Add(TimeSpan.FromMilliseconds(-50));
        Assert.Equal(TimeSpan.Zero, rtt.Smoothed);
        Assert.Equal(TimeSpan.Zero, rtt.Timeout);
    }

    private static void AssertMs(double expected, TimeSpan actual) => Assert.Equal(expected, actual.TotalMilliseconds, precision: 3);
}
