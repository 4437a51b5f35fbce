using System.Net;
using System.Text;
using System.Text.Json;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.EdgeNode.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Web;

/// <summary>The endpoints over the real health loop (HealthMonitor and its rules), one request context each.</summary>
public sealed class HealthEndpointsTests
{
    private readonly FakeTimeProvider _time = new(WebSamples.Now);
    private NodeStatus _status = WebSamples.Status(withOverlay: false);

    [Fact]
    public async Task Health_answers_200_while_serving_and_503_while_booting_or_failed()
    {
        var (monitor, endpoints) = Create(new WebOptions());
        monitor.Evaluate();
        var healthy = await GetAsync(endpoints, "/health");
        Assert.Equal(200, healthy.Code);
        Assert.Equal("application/json; charset=utf-8", healthy.ContentType);
        Assert.Equal("healthy", JsonDocument.Parse(healthy.Body).RootElement.GetProperty("condition").GetString());

        _status = _status with { Blocks = null }; // the store is not open yet
        monitor.Evaluate();
        var booting = await GetAsync(endpoints, "/health");
        Assert.Equal(503, booting.Code);
        Assert.Equal("booting", JsonDocument.Parse(booting.Body).RootElement.GetProperty("condition").GetString());

        _status = _status with { Blocks = 0 };
        monitor.ReportFailure("the journal refuses writes");
        monitor.Evaluate();
        var failed = await GetAsync(endpoints, "/health");
        Assert.Equal(503, failed.Code);
        using var document = JsonDocument.Parse(failed.Body);
        Assert.Equal("failed", document.RootElement.GetProperty("condition").GetString());
        Assert.False(document.RootElement.GetProperty("serving").GetBoolean());
        Assert.Equal("the journal refuses writes", document.RootElement.GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public async Task Page_and_metrics_have_their_content_types_and_no_cache()
    {
        var (monitor, endpoints) = Create(new WebOptions());
        monitor.Evaluate();

        var page = await GetAsync(endpoints, "/");
        Assert.Equal(200, page.Code);
        Assert.Equal("text/html; charset=utf-8", page.ContentType);
        Assert.Contains("data-v=\"healthy\"", page.Body, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'", page.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl.ToString());

        var metrics = await GetAsync(endpoints, "/metrics");
        Assert.Equal(200, metrics.Code);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.ContentType);
        Assert.Equal(1, Exposition.Parse(metrics.Body).With("epostedge_health_condition", "condition", "healthy"));
        Assert.Equal(77_000_000, Exposition.Parse(metrics.Body).Single("epostedge_process_resident_bytes"));
    }

    [Theory]
    [InlineData("8.8.8.8", 403)]
    [InlineData("100.64.1.1", 403)]
    [InlineData("192.168.178.30", 200)]
    [InlineData("::1", 200)]
    public async Task Only_the_LAN_is_answered(string remote, int code)
    {
        var (monitor, endpoints) = Create(new WebOptions());
        monitor.Evaluate();
        foreach (var path in new[] { "/", "/health", "/metrics" })
        {
            Assert.Equal(code, (await GetAsync(endpoints, path, remote: remote)).Code);
        }
    }

    [Fact]
    public async Task With_LanOnly_off_any_address_is_answered()
    {
        var (monitor, endpoints) = Create(new WebOptions { LanOnly = false });
        monitor.Evaluate();
        Assert.Equal(200, (await GetAsync(endpoints, "/health", remote: "8.8.8.8")).Code);
    }

    [Fact]
    public async Task A_password_guards_the_page_and_the_metrics_but_not_health()
    {
        var (monitor, endpoints) = Create(new WebOptions { Password = "horse battery" });
        monitor.Evaluate();
        var good = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:horse battery"));
        var bad = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:horse"));

        var refused = await GetAsync(endpoints, "/");
        Assert.Equal(401, refused.Code);
        Assert.Equal(BasicAuthentication.Challenge, refused.Headers.WWWAuthenticate.ToString());
        Assert.DoesNotContain("data-k", refused.Body, StringComparison.Ordinal);
        Assert.Equal(401, (await GetAsync(endpoints, "/", authorization: bad)).Code);
        Assert.Equal(401, (await GetAsync(endpoints, "/metrics")).Code);
        Assert.Equal(200, (await GetAsync(endpoints, "/", authorization: good)).Code);
        Assert.Equal(200, (await GetAsync(endpoints, "/metrics", authorization: good)).Code);
        Assert.Equal(200, (await GetAsync(endpoints, "/health")).Code);
    }

    [Fact]
    public async Task Other_paths_are_404_other_methods_405_and_HEAD_has_no_body()
    {
        var (monitor, endpoints) = Create(new WebOptions());
        monitor.Evaluate();
        Assert.Equal(404, (await GetAsync(endpoints, "/admin")).Code);
        var post = await GetAsync(endpoints, "/health", method: "POST");
        Assert.Equal(405, post.Code);
        Assert.Equal("GET, HEAD", post.Headers.Allow.ToString());
        var head = await GetAsync(endpoints, "/health", method: "HEAD");
        Assert.Equal(200, head.Code);
        Assert.Equal(string.Empty, head.Body);
        Assert.True(head.Headers.ContentLength > 0);
    }

    private (HealthMonitor Monitor, HealthEndpoints Endpoints) Create(WebOptions options)
    {
        var monitor = new HealthMonitor(() => _status, _time, new HealthOptions(), NullLogger<HealthMonitor>.Instance);
        var log = new RecentLogProvider(_time);
        return (monitor, new HealthEndpoints(monitor, log, options, 5, _time, () => 77_000_000));
    }

    private static async Task<(int Code, string? ContentType, string Body, IHeaderDictionary Headers)> GetAsync(
        HealthEndpoints endpoints, string path, string remote = "127.0.0.1", string method = "GET", string? authorization = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        using var body = new MemoryStream();
        context.Response.Body = body;
        await endpoints.HandleAsync(context);
        return (context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()), context.Response.Headers);
    }
}
