using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EPostEdge.EdgeNode.Budgets;
using EPostEdge.EdgeNode.Cli;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Leds;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.EdgeNode.Systemd;
using EPostEdge.EdgeNode.Web;
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
    public static async Task<int> RunAsync(NodeSettings settings, NodeConfiguration configuration, IMailWiring? mail, TextWriter error, CancellationToken cancellationToken)
    {
        X509Certificate2 certificate;
        var (certificatePath, keyPath) = configuration.CertificateFiles(settings.DataDirectory);
        try
        {
            certificate = TlsCertificate.Load(certificatePath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            await error.WriteLineAsync($"epost-edge: cannot load the TLS certificate {certificatePath} / {keyPath}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        using var certificateOwner = certificate;

        // The empty builder reads no appsettings files and adds no reflection-based binding,
        // which keeps the AOT binary free of trim warnings; our configuration is NodeConfiguration.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "epost-edge" });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        SystemdServices.Add(builder, Environment.GetEnvironmentVariables());

        // A start failure (port in use) is reported below in one line; the host's own error log
        // of it would add a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        // The seams (ARCHITECTURE.md): real clock, real disk. The simulator registers its own.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IFileSystem>(new PhysicalFileSystem());
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton<StoreService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StoreService>());

        // The hw-profile's memory and disk budgets: asked by the mail listener, SMTP and the held store.
        builder.Services.AddSingleton(sp => new BudgetMonitor(
            configuration, settings, sp.GetRequiredService<StoreService>(), new ProcSelfMemory(), DriveVolumes.Instance, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BudgetMonitor>>()));
        builder.Services.AddSingleton<IAdmissionGate>(sp => sp.GetRequiredService<BudgetMonitor>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BudgetMonitor>());

        // Hosted services start in this order: store, mail store (wiring), listeners, status file.
        if (mail is not null)
        {
            mail.AddServices(builder.Services, configuration, settings.DataDirectory);
            builder.Services.AddSingleton(sp => new MailListener(
                () => sp.GetRequiredService<IMailRuntime>().Endpoints(), certificate, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MailListener>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<MailListener>());
        }

        // The overlay, when this node has joined or founded one (DATA/overlay/node.key). Mail
        // does not depend on it: its start binds the port and begins the join without waiting.
        if (OverlayService.IsConfigured(new PhysicalFileSystem(), settings.DataDirectory))
        {
            builder.Services.AddSingleton<OverlayService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<OverlayService>());

            // DATA/run/control.sock (epost-edge store): after the overlay, so it stops first.
            builder.Services.AddSingleton<ControlChannel>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlChannel>());
        }

        // NAT (README "NAT (port mapping)"): map the overlay port on the home router, after the
        // overlay so that it stops first and unmaps the port before it closes.
        if (OverlayService.IsConfigured(new PhysicalFileSystem(), settings.DataDirectory) && configuration.Nat.IsOn(configuration.OverlayEndPoint(out _)))
        {
            builder.Services.AddSingleton<Nat.Network.INatNetwork>(new Nat.Network.SocketNatNetwork());
            builder.Services.AddSingleton(sp => new Nat.PortMappingService(
                configuration, sp.GetRequiredService<Nat.Network.INatNetwork>(), sp.GetRequiredService<TimeProvider>(), EPostEdge.Overlay.Seams.SystemRandomSource.Instance, sp.GetRequiredService<ILogger<Nat.PortMappingService>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Nat.PortMappingService>());
        }

        builder.Services.AddSingleton(sp => new StatusReporter(
            settings,
            sp.GetRequiredService<StoreService>(),
            sp.GetRequiredService<IFileSystem>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IMailRuntime>(),
            sp.GetService<MailListener>(),
            sp.GetService<OverlayService>(),
            sp.GetService<Nat.PortMappingService>(),
            sp.GetRequiredService<HealthMonitor>,
            sp.GetService<BudgetMonitor>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StatusReporter>());

        // The health loop (after the status file, which it reads the same snapshot as): LEDs,
        // watchdog and web page listen to it.
        builder.Services.AddSingleton(sp => new HealthMonitor(
            sp.GetRequiredService<StatusReporter>().Snapshot, sp.GetRequiredService<TimeProvider>(), configuration.Health, sp.GetRequiredService<ILogger<HealthMonitor>>()));
        builder.Services.AddSingleton<IHealthSource>(sp => sp.GetRequiredService<HealthMonitor>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());

        // Its listeners: the systemd watchdog (and STATUS=), the status LEDs (README "systemd", "Status LEDs").
        var watchdog = WatchdogSettings.FromEnvironment(Environment.GetEnvironmentVariables(), Environment.ProcessId, out var watchdogWhy);
        builder.Services.AddHostedService(sp => new SystemdWatchdog(
            sp.GetRequiredService<IHealthSource>(), sp.GetRequiredService<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier>(), watchdog, watchdogWhy,
            TimeSpan.FromSeconds(Math.Max(1, configuration.Health.PeriodSeconds)), sp.GetRequiredService<ILogger<SystemdWatchdog>>()));
        builder.Services.AddHostedService(sp => new LedPanel(
            sp.GetRequiredService<IHealthSource>(), () => LedDrivers.Open(configuration.Leds), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LedPanel>>()));
        builder.Services.AddHostedService(sp => new IdleCollector(sp.GetRequiredService<TimeProvider>()));

        // The web health page (Web:Port; 0 = off): started last, stopped first.
        builder.AddHealthWeb(configuration);

        using var host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (PortInUseException ex)
        {
            await error.WriteLineAsync($"epost-edge: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.PortInUse;
        }
        catch (OverlayFilesException ex)
        {
            await error.WriteLineAsync($"epost-edge: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A data folder that cannot be opened is the user's to fix: say so, without a stack.
            await error.WriteLineAsync($"epost-edge: cannot open the store in {Path.GetFullPath(settings.StoreDirectory)}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
