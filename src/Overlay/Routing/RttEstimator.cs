namespace EPostEdge.Overlay.Routing;

/// <summary>
/// Per-neighbour round-trip estimate and retransmission timeout, as TCP computes them (RFC 6298
/// §2: SRTT, RTTVAR, RTO = SRTT + 4·RTTVAR) and as Bamboo uses them for overlay timeouts, with
/// Bamboo's bounds so one slow sample cannot stall failure detection.
/// </summary>
public sealed class RttEstimator(TimeSpan initial, TimeSpan minimum, TimeSpan maximum)
{
    private double _srtt = -1;
    private double _rttvar;

    /// <summary>The smoothed round trip, or null before the first sample.</summary>
    public TimeSpan? Smoothed => _srtt < 0 ? null : TimeSpan.FromMilliseconds(_srtt);

    /// <summary>The timeout for the next request to this neighbour.</summary>
    public TimeSpan Timeout
    {
        get
        {
            if (_srtt < 0)
            {
                return initial;
            }

            var rto = TimeSpan.FromMilliseconds(_srtt + (4 * _rttvar));
            return rto < minimum ? minimum : rto > maximum ? maximum : rto;
        }
    }

    /// <summary>Adds one measured round trip (RFC 6298 §2.2–2.3, α = 1/8, β = 1/4).</summary>
    public void Add(TimeSpan sample)
    {
        var r = Math.Max(0, sample.TotalMilliseconds);
        if (_srtt < 0)
        {
            _srtt = r;
            _rttvar = r / 2;
            return;
        }

        _rttvar = (0.75 * _rttvar) + (0.25 * Math.Abs(_srtt - r));
        _srtt = (0.875 * _srtt) + (0.125 * r);
    }
}
