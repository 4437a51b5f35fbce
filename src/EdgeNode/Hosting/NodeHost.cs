using EPostEdge.Storage.FileSystem;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// The node's host: Microsoft.Extensions.Hosting with systemd integration (Type=notify,
/// journald log format when run by systemd), the real seams registered once here.
/// </summary>
internal static class NodeHost
{
    public static async Task<int> RunAsync(NodeSettings settings, CancellationToken cancellationToken)
    {
        // The empty builder reads no appsettings files and adds no reflection-based binding,
        // which keeps the AOT binary free of trim warnings.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "epost-edge" });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.AddSystemd();

        // The seams (ARCHITECTURE.md): real clock, real disk. The simulator registers its own.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IFileSystem>(new PhysicalFileSystem());
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<StoreService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StoreService>());

        using var host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A data folder that cannot be opened is the user's to fix: say so, without a stack.
            await Console.Error.WriteLineAsync($"epost-edge: cannot open the store in {Path.GetFullPath(settings.StoreDirectory)}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
