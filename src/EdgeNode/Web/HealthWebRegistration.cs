using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Web;

/// <summary>How the node's host takes the web page in (one call in NodeHost, after the health loop).</summary>
internal static class HealthWebRegistration
{
    /// <summary>
    /// Registers the last-errors log provider and <see cref="HealthWebService"/> (last hosted
    /// service: it starts when the node's state exists and stops first). Nothing when Web:Port is 0.
    /// </summary>
    public static void AddHealthWeb(this HostApplicationBuilder builder, NodeConfiguration configuration)
    {
        if (configuration.Web.Port == 0)
        {
            return;
        }

        builder.Services.AddSingleton(sp => new RecentLogProvider(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<RecentLogProvider>());
        builder.Services.AddSingleton(sp => new HealthEndpoints(
            sp.GetRequiredService<IHealthSource>(),
            sp.GetRequiredService<RecentLogProvider>(),
            configuration.Web,
            configuration.Health.PeriodSeconds,
            sp.GetRequiredService<TimeProvider>(),
            static () => Environment.WorkingSet));
        builder.Services.AddSingleton(sp => new HealthWebService(
            configuration.Web,
            sp.GetRequiredService<HealthEndpoints>(),
            sp,
            sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthWebService>());
    }
}
