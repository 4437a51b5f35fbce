using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary>A lost node's users come back from their key backup file and passphrase.</summary>
public sealed partial class IdentityCommandTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Keys_created_on_one_node_are_restored_on_a_new_node_with_the_passphrase_only()
    {
        using var oldNode = new TempDirectory();
        using var newNode = new TempDirectory();
        var right = new Dictionary<string, string> { ["EPOSTEDGE_PASSPHRASE"] = "correct horse battery staple" };
        var wrong = new Dictionary<string, string> { ["EPOSTEDGE_PASSPHRASE"] = "correct horse battery stapler" };

        var created = await NodeProcess.RunAsync(right, Timeout, "identity", "create", "--user", "grandma", "--data", oldNode.Path);
        output.WriteLine(created.Output + created.Error);
        Assert.Equal(0, created.ExitCode);
        var id = IdLine().Match(created.Output).Groups[1].Value;
        Assert.Equal(64, id.Length);
        var keyFile = Path.Combine(oldNode.Path, "keys", "grandma.epkb");

        // The old node burns down; only the backup file is left.
        var backup = Path.Combine(newNode.Path, "grandma-backup.epkb");
        File.Copy(keyFile, backup);

        var refused = await NodeProcess.RunAsync(wrong, Timeout, "identity", "restore", backup, "--user", "grandma", "--data", newNode.Path);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("passphrase is wrong", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(newNode.Path, "keys", "grandma.epkb")));

        var restored = await NodeProcess.RunAsync(right, Timeout, "identity", "restore", backup, "--user", "grandma", "--data", newNode.Path);
        output.WriteLine(restored.Output + restored.Error);
        Assert.Equal(0, restored.ExitCode);
        Assert.Equal(id, IdLine().Match(restored.Output).Groups[1].Value);

        var shown = await NodeProcess.RunAsync(Timeout, "identity", "show", "--user", "grandma", "--data", newNode.Path);
        Assert.Equal(id, IdLine().Match(shown.Output).Groups[1].Value);

        var again = await NodeProcess.RunAsync(right, Timeout, "identity", "create", "--user", "grandma", "--data", newNode.Path);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("never overwritten", again.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^id:\s+([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex IdLine();
}
