using EPostEdge.EdgeNode.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Web;

public sealed class RecentLogProviderTests
{
    [Fact]
    public void Keeps_the_last_twenty_warnings_and_errors_newest_first_and_counts_all_of_them()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        using var provider = new RecentLogProvider(time);
        var logger = provider.CreateLogger("EPostEdge.Test");
        for (var i = 0; i < 25; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            logger.Log(i % 5 == 0 ? LogLevel.Error : LogLevel.Warning, "line {Number}", i);
            logger.LogInformation("not kept {Number}", i);
        }

        var lines = provider.Lines();
        Assert.Equal(RecentLogProvider.Capacity, lines.Count);
        Assert.Equal(Enumerable.Range(5, 20).Reverse().Select(i => $"line {i}"), lines.Select(l => l.Message));
        Assert.Equal(time.GetUtcNow(), lines[0].At);
        Assert.Equal("EPostEdge.Test", lines[0].Category);
        Assert.Equal(LogLevel.Error, lines[^1].Level);
        Assert.Equal(20, provider.Warnings);
        Assert.Equal(5, provider.Errors);
        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Critical));
    }

    [Fact]
    public void Adds_the_exception_and_cuts_a_long_message()
    {
        using var provider = new RecentLogProvider(TimeProvider.System);
        var logger = provider.CreateLogger("c");
        logger.LogError(new IOException("disk gone"), "store failed");
        logger.LogWarning("{Long}", new string('x', 5000));

        var lines = provider.Lines();
        Assert.Equal(RecentLogProvider.MaxMessageLength, lines[0].Message.Length);
        Assert.EndsWith("…", lines[0].Message, StringComparison.Ordinal);
        Assert.Equal("store failed (IOException: disk gone)", lines[1].Message);
    }
}
