using Microsoft.Playwright;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// Debian's chromium driven by Microsoft.Playwright: the package's own driver (node and
/// playwright-core, copied to the test output) talks to /usr/bin/chromium, which scripts/test.sh
/// installs with apt. Playwright downloads no browser here (there is no network for it).
/// </summary>
internal static class DebianChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The flags for a quiet, offline, sandbox-less run as root in CI (Playwright adds --headless itself).</summary>
    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>A phone-sized browser context (390 x 844 CSS pixels, touch, mobile viewport) in a fresh profile folder.</summary>
    public static async Task<(IPlaywright Playwright, IBrowserContext Context)> LaunchPhoneAsync(string profileDirectory)
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: scripts/test.sh installs it (apt-get install -y chromium)");
        Directory.CreateDirectory(profileDirectory);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profileDirectory, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Flags,
                ViewportSize = new ViewportSize { Width = 390, Height = 844 },
                DeviceScaleFactor = 2,
                IsMobile = true,
                HasTouch = true,
                Timeout = 60_000,
            });
            return (playwright, context);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>artifacts/test-results/ of the repository the tests were built from (created if needed).</summary>
    public static string ResultsDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EPostEdge.sln")))
        {
            directory = directory.Parent;
        }

        var results = Path.Combine(directory?.FullName ?? Path.GetTempPath(), "artifacts", "test-results");
        Directory.CreateDirectory(results);
        return results;
    }
}
