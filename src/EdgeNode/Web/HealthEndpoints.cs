using System.Reflection;
using System.Text;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Health;
using Microsoft.AspNetCore.Http;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// The web page's three endpoints as <see cref="RequestDelegate"/>s (<c>/</c>, <c>/health</c>,
/// <c>/metrics</c>), behind the LAN-only check and, for the page and the metrics, the optional
/// password. GET and HEAD only. Each request renders the health loop's latest report, so a
/// request costs a render, never a status snapshot.
/// </summary>
public sealed class HealthEndpoints
{
    // The page has no script, no external asset and no form: forbid all of it (CSP Level 3).
    private const string PagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly IHealthSource _health;
    private readonly RecentLogProvider _log;
    private readonly WebOptions _options;
    private readonly int _refreshSeconds;
    private readonly TimeProvider _time;
    private readonly Func<long?> _workingSet;
    private readonly BasicAuthentication? _password;
    private readonly Dictionary<string, (RequestDelegate Handler, bool Protected)> _routes;
    private readonly string? _webEndPoint;

    /// <param name="health">The health loop.</param>
    /// <param name="log">The last warnings and errors.</param>
    /// <param name="options">The "Web" section.</param>
    /// <param name="refreshSeconds">How often the page reloads (the health loop's period).</param>
    /// <param name="time">The node's clock.</param>
    /// <param name="workingSet">The process's resident bytes when the status has no budget figure (the runtime's working set in the node).</param>
    public HealthEndpoints(IHealthSource health, RecentLogProvider log, WebOptions options, int refreshSeconds, TimeProvider time, Func<long?> workingSet)
    {
        ArgumentNullException.ThrowIfNull(options);
        _health = health;
        _log = log;
        _options = options;
        _refreshSeconds = refreshSeconds;
        _time = time;
        _workingSet = workingSet;
        _password = string.IsNullOrEmpty(options.Password) ? null : new BasicAuthentication(options.Password);
        _webEndPoint = options.BindAddress() is { } address ? new System.Net.IPEndPoint(address, options.Port).ToString() : null;
        _routes = new(StringComparer.Ordinal)
        {
            ["/"] = (PageAsync, true),
            ["/health"] = (HealthAsync, false),
            ["/metrics"] = (MetricsAsync, true),
        };
    }

    /// <summary>The node's version as the page shows it: the informational version, its commit cut to 12 digits.</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>What the endpoints render now.</summary>
    public HealthView View()
    {
        var report = _health.Current;
        return new HealthView(
            report,
            _time.GetUtcNow(),
            Version,
            report.Status.Budget?.RssBytes ?? _workingSet(),
            _log.Lines(),
            _log.Warnings,
            _log.Errors,
            _refreshSeconds,
            _webEndPoint);
    }

    /// <summary>Answers one request (the server's one <see cref="RequestDelegate"/>).</summary>
    public Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        if (_options.LanOnly && !LanAddress.Contains(context.Connection.RemoteIpAddress))
        {
            return TextAsync(context, StatusCodes.Status403Forbidden, "This page answers the local network only (Web:LanOnly).\n");
        }

        if (!_routes.TryGetValue(context.Request.Path.Value ?? "/", out var route))
        {
            return TextAsync(context, StatusCodes.Status404NotFound, "Not found. This node serves /, /health and /metrics.\n");
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            return TextAsync(context, StatusCodes.Status405MethodNotAllowed, "GET or HEAD only.\n");
        }

        if (route.Protected && _password is not null && !_password.Accepts(context.Request.Headers.Authorization))
        {
            response.Headers.WWWAuthenticate = BasicAuthentication.Challenge;
            return TextAsync(context, StatusCodes.Status401Unauthorized, "This page needs the password in Web:Password.\n");
        }

        return route.Handler(context);
    }

    private Task PageAsync(HttpContext context)
    {
        context.Response.Headers.ContentSecurityPolicy = PagePolicy;
        return WriteAsync(context, StatusCodes.Status200OK, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(HealthPage.Render(View())));
    }

    private Task HealthAsync(HttpContext context)
    {
        // 503 while booting or failed: the update rollback and scripts read the code alone.
        var view = View();
        var code = view.Report.Serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return WriteAsync(context, code, "application/json; charset=utf-8", HealthJson.Render(view));
    }

    private Task MetricsAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status200OK, PrometheusText.ContentType, Encoding.UTF8.GetBytes(NodeMetrics.Render(View())));

    private static Task TextAsync(HttpContext context, int code, string text) =>
        WriteAsync(context, code, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));

    private static async Task WriteAsync(HttpContext context, int code, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = code;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static string ReadVersion()
    {
        var version = typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length > plus + 13 ? version[..(plus + 13)] : version;
    }
}
