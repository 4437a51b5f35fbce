using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.EdgeNode.Mail.Users;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Post;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Mail.Users;

public sealed class UserDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly PhysicalFileSystem _fs = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _temp.Dispose();

    private UserDirectory Open() => UserDirectory.Open(_fs, _temp.Path, new SeededRandomSource(7), _time, UserCosts.Minimal);

    [Fact]
    public async Task Added_users_are_listed_and_found_by_name_or_address_case_insensitively()
    {
        var directory = Open();
        var alice = await directory.AddUserAsync("alice", ["Alice@Home.Example", "a@other.example"], "correct horse");
        await directory.AddUserAsync("bob", ["bob@home.example"], "battery staple");

        Assert.Equal(["Alice@home.example", "a@other.example"], alice.Addresses); // domain lower-cased, local part kept
        Assert.Equal(["alice", "bob"], directory.ListUsers().Select(u => u.Name));
        Assert.Equal("alice", directory.Find("ALICE@home.EXAMPLE")?.Name);
        Assert.Equal("alice", directory.Find("Alice")?.Name);
        Assert.Null(directory.Find("carol@home.example"));
        Assert.True(_fs.FileExists(Path.Combine(_temp.Path, "users", "alice.user")));
    }

    [Fact]
    public async Task A_taken_name_or_address_is_AlreadyExists()
    {
        var directory = Open();
        await directory.AddUserAsync("alice", ["alice@home.example"], "correct horse");

        var name = await Assert.ThrowsAsync<MailboxException>(() => directory.AddUserAsync("alice", [], "correct horse"));
        var address = await Assert.ThrowsAsync<MailboxException>(() => directory.AddUserAsync("eve", ["ALICE@home.example"], "correct horse"));
        Assert.Equal(MailboxErrorKind.AlreadyExists, name.Kind);
        Assert.Equal(MailboxErrorKind.AlreadyExists, address.Kind);
        Assert.Single(directory.ListUsers());
    }

    [Theory]
    [InlineData("Alice", "alice@home.example", "long enough", "user name")]
    [InlineData("", "alice@home.example", "long enough", "user name")]
    [InlineData(".hidden", "alice@home.example", "long enough", "user name")]
    [InlineData("a/b", "alice@home.example", "long enough", "user name")]
    [InlineData("alice", "no-at-sign", "long enough", "mail address")]
    [InlineData("alice", "alice@", "long enough", "mail address")]
    [InlineData("alice", "alice@bad..domain", "long enough", "mail address")]
    [InlineData("alice", "alice@home.example", "short", "at least 8")]
    public async Task Bad_input_is_an_ArgumentException_that_says_what(string name, string address, string password, string says)
    {
        var directory = Open();
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => directory.AddUserAsync(name, [address], password));
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
        Assert.Empty(directory.ListUsers());
    }

    [Fact]
    public async Task Passwords_verify_right_and_wrong_also_from_the_cache()
    {
        var directory = Open();
        await directory.AddUserAsync("alice", ["alice@home.example"], "correct horse");

        Assert.Equal("alice", (await directory.VerifyPasswordAsync("alice", "correct horse"))?.Name);
        Assert.Equal("alice", (await directory.VerifyPasswordAsync("alice@home.example", "correct horse"))?.Name);
        Assert.Null(await directory.VerifyPasswordAsync("alice", "wrong horse"));
        Assert.Null(await directory.VerifyPasswordAsync("nobody", "correct horse"));
        Assert.Null(await directory.VerifyPasswordAsync("alice", "correct horse "));
    }

    [Fact]
    public async Task Reopened_directory_has_the_users_and_the_key_backup_opens_with_the_password()
    {
        var added = await Open().AddUserAsync("alice", ["alice@home.example"], "correct horse");

        var reopened = Open();
        Assert.Equal(added.PublicId, Assert.Single(reopened.ListUsers()).PublicId);
        Assert.NotNull(await reopened.VerifyPasswordAsync("alice", "correct horse"));

        var backup = File.ReadAllBytes(Path.Combine(_temp.Path, "keys", "alice.epkb"));
        using var restored = KeyBackup.Restore(backup, "correct horse");
        Assert.Equal(added.PublicId, restored.Id.ToString());
        using var nodeCopy = reopened.OpenIdentity("alice");
        Assert.Equal(added.PublicId, nodeCopy.Id.ToString());
    }

    [Fact]
    public async Task Existing_keys_from_identity_create_are_reused_when_the_password_opens_them()
    {
        using var identity = UserIdentity.Create(new SeededRandomSource(3));
        Directory.CreateDirectory(Path.Combine(_temp.Path, "keys"));
        File.WriteAllBytes(Path.Combine(_temp.Path, "keys", "alice.epkb"), KeyBackup.Seal(identity, "correct horse", UserCosts.Minimal.Backup, new SeededRandomSource(4)));
        var directory = Open();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => directory.AddUserAsync("alice", [], "other password"));
        var added = await directory.AddUserAsync("alice", [], "correct horse");
        Assert.Equal(identity.Id.ToString(), added.PublicId);
    }

    [Fact]
    public async Task A_user_added_by_another_process_is_found_after_a_miss_once_the_rate_limit_allows()
    {
        var node = Open();
        Assert.Null(node.Find("bob"));

        await Open().AddUserAsync("bob", ["bob@home.example"], "battery staple");
        Assert.Null(node.Find("bob@home.example")); // rescanned less than a second ago

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("bob", node.Find("bob@home.example")?.Name);
    }

    [Fact]
    public void The_node_key_is_created_once()
    {
        var first = NodeKey.LoadOrCreate(_fs, _temp.Path, new SeededRandomSource(1));
        var second = NodeKey.LoadOrCreate(_fs, _temp.Path, new SeededRandomSource(2));
        Assert.Equal(first.DerivePassphrase("x"), second.DerivePassphrase("x"));
        Assert.NotEqual(first.DerivePassphrase("x"), first.DerivePassphrase("y"));
        Assert.Equal(NodeKey.Size, File.ReadAllBytes(NodeKey.PathIn(_temp.Path)).Length);
    }
}
