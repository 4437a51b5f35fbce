using CsCheck;
using EPostEdge.EdgeNode.Web;

namespace EPostEdge.EdgeNode.Tests.Web;

public sealed class PrometheusTextTests
{
    [Fact]
    public void A_family_is_help_type_then_samples_each_line_ending_in_a_line_feed()
    {
        var text = new PrometheusText()
            .Family("epostedge_x_total", "counter", "Things done.").Sample(3)
            .Gauge("epostedge_y", "A level.", 0.5)
            .ToString();

        Assert.Equal(
            "# HELP epostedge_x_total Things done.\n# TYPE epostedge_x_total counter\nepostedge_x_total 3\n" +
            "# HELP epostedge_y A level.\n# TYPE epostedge_y gauge\nepostedge_y 0.5\n",
            text);
    }

    [Fact]
    public void Help_escapes_backslash_and_line_feed_and_label_values_also_the_double_quote()
    {
        var text = new PrometheusText()
            .Family("m", "gauge", "a \\ b\nc \"d\"")
            .Sample(1, ("path", "C:\\x\n\"y\""), ("b", ""))
            .ToString();

        Assert.Equal("# HELP m a \\\\ b\\nc \"d\"\n# TYPE m gauge\nm{path=\"C:\\\\x\\n\\\"y\\\"\",b=\"\"} 1\n", text);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0d, "0")]
    [InlineData(-2.5d, "-2.5")]
    [InlineData(1_073_741_824d, "1073741824")]
    [InlineData(0.001234d, "0.001234")]
    public void Values_are_written_as_go_floats(double value, string expected) => Assert.Equal(expected, PrometheusText.Format(value));

    [Fact]
    public void A_family_twice_a_sample_without_family_and_bad_names_are_refused()
    {
        var text = new PrometheusText().Family("a", "gauge", "x");
        Assert.Throws<InvalidOperationException>(() => text.Family("a", "gauge", "again"));
        Assert.Throws<InvalidOperationException>(() => new PrometheusText().Sample(1));
        Assert.Throws<ArgumentException>(() => new PrometheusText().Family("1abc", "gauge", "x"));
        Assert.Throws<ArgumentException>(() => new PrometheusText().Family("a-b", "gauge", "x"));
        Assert.Throws<ArgumentException>(() => new PrometheusText().Family("a", "gauge", "x").Sample(1, ("a:b", "v")));
    }

    [Fact]
    public void Any_label_value_and_help_text_reads_back_unchanged_through_a_strict_reader()
    {
        Gen.Select(Gen.String, Gen.String, Gen.Double).Sample((value, help, number) =>
        {
            var text = new PrometheusText().Family("epostedge_p", "gauge", help).Sample(number, ("v", value)).ToString();
            var family = Exposition.Parse(text).Families["epostedge_p"];
            Assert.Equal(help, family.Help);
            var sample = Assert.Single(family.Samples);
            Assert.Equal(value, sample.Labels["v"]);
            Assert.Equal(number, sample.Value);
        });
    }
}
