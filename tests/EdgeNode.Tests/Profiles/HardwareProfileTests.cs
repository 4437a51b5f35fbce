using System.Collections;
using System.Text;
using System.Text.Json;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Mail.Tls;
using EPostEdge.EdgeNode.Profiles;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Profiles;

/// <summary>The hw-profiles: built into the binary, valid, and layered defaults &lt; profile &lt; file &lt; environment &lt; option.</summary>
public sealed class HardwareProfileTests
{
    private static readonly PhysicalFileSystem Disk = new();

    private static readonly string[] Boards = ["pi-zero-2w", "pi-3b-plus", "pi-4", "pi-5", "nas-x86-64"];

    public static TheoryData<string> Names => new(Boards);

    [Fact]
    public void The_five_boards_are_built_in_and_each_equals_its_file_in_the_repository()
    {
        Assert.Equal(Boards.Order(StringComparer.Ordinal), HardwareProfile.BuiltInNames);
        foreach (var name in HardwareProfile.BuiltInNames)
        {
            var embedded = HardwareProfile.Load(name, Disk);
            Assert.Equal("built in", embedded.Source);
            Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryRoot(), "hw-profiles", name + ".json")), embedded.Json);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_profile_is_a_valid_configuration_with_budget_and_LED_sections(string name)
    {
        using var temp = new TempDirectory();
        Initialise(temp.Path, profile: null);
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable(), name);
        var report = configuration.Validate(Disk, temp.Path);
        Assert.Empty(report.Errors);
        Assert.Equal(name, configuration.ProfileName);

        var budget = configuration.Budget;
        Assert.NotNull(budget.MemoryBudgetBytes);
        Assert.NotNull(budget.GcHeapHardLimitBytes);
        Assert.True(budget.GcHeapHardLimitBytes < budget.MemoryBudgetBytes, "the GC's heap limit must leave room for native memory inside the budget");
        Assert.True(ContributedQuota.IsValid(configuration.Overlay.ContributedQuota));

        // The LED section the LED driver reads (LedOptions, owned by the LED work): Driver, Green, Red.
        using var json = JsonDocument.Parse(HardwareProfile.Load(name, Disk).Json);
        var leds = json.RootElement.GetProperty("Leds");
        Assert.Contains(leds.GetProperty("Driver").GetString(), new[] { "sysfs", "gpio", "none" });
        Assert.Equal(JsonValueKind.String, leds.GetProperty("Green").ValueKind);
        Assert.Equal(JsonValueKind.String, leds.GetProperty("Red").ValueKind);
        Assert.Equal(["Driver", "Green", "Red"], leds.EnumerateObject().Select(p => p.Name));
        Assert.True(json.RootElement.GetProperty("Board").GetString()!.Length > 0);
    }

    [Fact]
    public void The_profile_fills_in_under_a_file_written_with_every_default_spelled_out()
    {
        using var temp = new TempDirectory();
        Initialise(temp.Path, profile: null); // init's file: every setting at its default
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable(), "pi-zero-2w");
        Assert.Equal(20, configuration.Smtp.MaxSessions);
        Assert.Equal(10485760, configuration.Smtp.MaxMessageBytes);
        Assert.Equal(25, configuration.Smtp.Port);
        Assert.Equal("200M", configuration.Budget.MemoryBudget);
        Assert.Equal(["home.lan"], configuration.Mail.Domains); // the file's own setting stays
        Assert.Equal(300, configuration.Smtp.CommandTimeoutSeconds); // neither says: the default
    }

    [Fact]
    public void The_file_beats_the_profile_the_environment_beats_the_file_and_the_option_names_the_profile()
    {
        using var temp = new TempDirectory();
        var file = Initialise(temp.Path, profile: null);
        file.Smtp.MaxSessions = 7;
        file.Imap.MaxSessions = 9;
        ConfigurationFile.Write(Disk, temp.Path, file);

        var fromFile = NodeConfiguration.Load(Disk, temp.Path, new Hashtable(), "pi-zero-2w");
        Assert.Equal(7, fromFile.Smtp.MaxSessions);
        Assert.Equal(9, fromFile.Imap.MaxSessions);

        var environment = new Hashtable { ["EPOSTEDGE_Smtp__MaxSessions"] = "5", ["EPOSTEDGE_Profile"] = "pi-4" };
        var fromEnvironment = NodeConfiguration.Load(Disk, temp.Path, environment);
        Assert.Equal(5, fromEnvironment.Smtp.MaxSessions);
        Assert.Equal("pi-4", fromEnvironment.ProfileName);
        Assert.Equal("768M", fromEnvironment.Budget.MemoryBudget);

        var fromOption = NodeConfiguration.Load(Disk, temp.Path, environment, "pi-zero-2w");
        Assert.Equal("pi-zero-2w", fromOption.ProfileName);
        Assert.Equal("200M", fromOption.Budget.MemoryBudget);
        Assert.Equal(5, fromOption.Smtp.MaxSessions);
    }

    [Fact]
    public void A_file_written_under_one_profile_keeps_its_own_changes_under_another()
    {
        using var temp = new TempDirectory();
        var file = Initialise(temp.Path, profile: "pi-zero-2w");
        Assert.Equal(20, file.Smtp.MaxSessions); // written with the profile's values spelled out
        file.Imap.IdleTimeoutSeconds = 3600; // the user's own change
        ConfigurationFile.Write(Disk, temp.Path, file);
        Assert.Contains("\"Profile\": \"pi-zero-2w\"", File.ReadAllText(NodeConfiguration.PathIn(temp.Path)), StringComparison.Ordinal);

        var same = NodeConfiguration.Load(Disk, temp.Path, new Hashtable());
        Assert.Equal("pi-zero-2w", same.ProfileName);
        Assert.Equal(20, same.Smtp.MaxSessions);

        var moved = NodeConfiguration.Load(Disk, temp.Path, new Hashtable(), "pi-5");
        Assert.Equal(100, moved.Smtp.MaxSessions); // pi-5's, not the pi-zero-2w value spelled out in the file
        Assert.Equal("1G", moved.Budget.MemoryBudget);
        Assert.Equal(3600, moved.Imap.IdleTimeoutSeconds);
    }

    [Fact]
    public void A_profile_can_be_a_file_and_an_unknown_one_is_an_error_listing_the_built_in_ones()
    {
        using var temp = new TempDirectory();
        Initialise(temp.Path, profile: null);
        var path = Path.Combine(temp.Path, "my-board.json");
        File.WriteAllText(path, """{ "Board": "my board", "Smtp": { "MaxSessions": 3 }, "Budget": { "MemoryBudget": "64M" } }""");
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable(), path);
        Assert.Equal("my-board", configuration.ProfileName);
        Assert.Equal(3, configuration.Smtp.MaxSessions);
        Assert.Equal(64L << 20, configuration.Budget.MemoryBudgetBytes);

        var unknown = Assert.Throws<InvalidDataException>(() => NodeConfiguration.Load(Disk, temp.Path, new Hashtable(), "pi-zero"));
        Assert.Equal("no hw-profile named 'pi-zero' (built-in profiles: nas-x86-64, pi-3b-plus, pi-4, pi-5, pi-zero-2w; or give a path to a JSON file)", unknown.Message);

        File.WriteAllText(path, "{ not json");
        Assert.Contains("is not valid JSON", Assert.Throws<InvalidDataException>(() => NodeConfiguration.Load(Disk, temp.Path, new Hashtable(), path)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Budget:MemoryBudget", "lots", "Budget:MemoryBudget = 'lots' is not a size")]
    [InlineData("Budget:GcHeapHardLimit", "1M", "Budget:GcHeapHardLimit = '1M': below 16M")]
    [InlineData("Budget:MemoryResumePercent", "90", "Budget:MemoryShedPercent = 85, Budget:MemoryResumePercent = 90")]
    [InlineData("Budget:MaxThreads", "-1", "Budget:MinThreads = 0, Budget:MaxThreads = -1")]
    [InlineData("Budget:DiskNearFullPercent", "20", "Budget:DiskNearFullPercent = 20: it must be from 50 to 100")]
    [InlineData("Overlay:ContributedQuota", "150%", "Overlay:ContributedQuota = '150%' is not a size")]
    public void Each_bad_budget_setting_is_an_error_that_names_it(string key, string value, string expected)
    {
        using var temp = new TempDirectory();
        Initialise(temp.Path, profile: null);
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable { ["EPOSTEDGE_" + key.Replace(":", "__", StringComparison.Ordinal)] = value });
        Assert.Contains(configuration.Validate(Disk, temp.Path).Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_heap_limit_at_or_above_the_memory_budget_is_a_warning()
    {
        using var temp = new TempDirectory();
        Initialise(temp.Path, profile: null);
        var configuration = NodeConfiguration.Load(Disk, temp.Path, new Hashtable { ["EPOSTEDGE_Budget__MemoryBudget"] = "100M", ["EPOSTEDGE_Budget__GcHeapHardLimit"] = "100M" });
        var report = configuration.Validate(Disk, temp.Path);
        Assert.Empty(report.Errors);
        Assert.Contains(report.Warnings, w => w.StartsWith("Budget:GcHeapHardLimit (100M) is not below Budget:MemoryBudget (100M)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_contributed_quota_in_percent_is_that_share_of_the_free_space_plus_what_is_already_held()
    {
        var disk = new CrashModelFileSystem(new SeededRandomSource(3)) { Capacity = 10_000 };
        disk.CreateDirectory("/data/held/journal");
        using (var segment = disk.Open("/data/held/journal/seg-1.log", FileOpenMode.CreateNew))
        {
            segment.Write(0, new byte[2_000]);
        }

        Assert.Equal(8_000, disk.GetAvailableBytes("/data"));
        Assert.Equal(2_500, ContributedQuota.Resolve("25%", disk, "/data")); // 25 % of 8 000 free + 2 000 held
        Assert.Equal(1L << 30, ContributedQuota.Resolve("1G", disk, "/data"));
        Assert.True(ContributedQuota.IsValid("100%"));
        Assert.False(ContributedQuota.IsValid("0%"));
        Assert.False(ContributedQuota.IsValid("%"));
    }

    private static NodeConfiguration Initialise(string dataDirectory, string? profile)
    {
        var configuration = profile is null ? new NodeConfiguration() : NodeConfiguration.Load(Disk, dataDirectory, new Hashtable(), profile);
        configuration.Mail.Domains.Add("home.lan");
        ConfigurationFile.Write(Disk, dataDirectory, configuration);
        TlsCertificate.WriteSelfSigned(Disk, dataDirectory, "localhost", new SeededRandomSource(5), TimeProvider.System);
        return configuration;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EPostEdge.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("the repository root (EPostEdge.sln) is not above the test binaries");
    }
}
