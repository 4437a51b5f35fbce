using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EPostEdge.EdgeNode.Identity;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Mail.Users;

/// <summary>
/// The node's users, one file each in DATA/users/NAME.user, apart from the journal so
/// <c>epost-edge user add</c> can run beside a running node: the node re-reads the folder when a
/// lookup misses (at most once a second, so a flood of unknown recipients costs little).
/// </summary>
/// <remarks>
/// Each user's POST identity is sealed twice: under the password in DATA/keys/NAME.epkb (the
/// portable backup <c>identity restore</c> reads) and under the <see cref="NodeKey"/> inside the
/// user file, so the home node can write the user's logs while nobody is logged in.
/// </remarks>
public sealed class UserDirectory : IUserDirectory
{
    private const string Extension = ".user";
    private const int CredentialCacheLimit = 4096;
    private static readonly KeyBackupParameters NodeSealCost = new(KeyBackupParameters.MinMemorySizeKiB, 1);
    private static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(1);

    private readonly IFileSystem _fileSystem;
    private readonly string _usersDirectory;
    private readonly KeyFiles _keyFiles;
    private readonly IRandomSource _random;
    private readonly TimeProvider _time;
    private readonly UserCosts _costs;
    private readonly Lock _scanLock = new();
    private readonly SemaphoreSlim _addGate = new(1, 1);

    // Argon2id takes ~19 MiB per run: one at a time keeps a login burst inside the node's memory budget.
    private readonly SemaphoreSlim _argonGate = new(1, 1);

    // Verified (name, password) pairs as HMAC tags under a per-process key: a repeated login
    // costs one HMAC, not an Argon2 run, and the cache holds no password.
    private readonly byte[] _credentialKey = new byte[32];
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);

    private volatile Index _index = Index.Empty;
    private long _lastScan;

    private UserDirectory(IFileSystem fileSystem, string dataDirectory, NodeKey nodeKey, IRandomSource random, TimeProvider time, UserCosts costs)
    {
        _fileSystem = fileSystem;
        _usersDirectory = Path.Combine(dataDirectory, "users");
        _keyFiles = new KeyFiles(fileSystem, dataDirectory);
        NodeKey = nodeKey;
        _random = random;
        _time = time;
        _costs = costs;
        random.NextBytes(_credentialKey);
    }

    internal NodeKey NodeKey { get; }

    /// <summary>Opens the directory in <paramref name="dataDirectory"/> (creating DATA/node.key on first use) with the default costs.</summary>
    public static UserDirectory Open(IFileSystem fileSystem, string dataDirectory, IRandomSource random) =>
        Open(fileSystem, dataDirectory, random, TimeProvider.System, UserCosts.Default);

    /// <summary>Opens the directory with a clock (for the re-scan rate limit) and Argon2id costs.</summary>
    public static UserDirectory Open(IFileSystem fileSystem, string dataDirectory, IRandomSource random, TimeProvider time, UserCosts costs)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(costs);
        var directory = new UserDirectory(fileSystem, dataDirectory, NodeKey.LoadOrCreate(fileSystem, dataDirectory, random), random, time, costs);
        directory.Rescan();
        return directory;
    }

    /// <inheritdoc />
    public async Task<UserRecord> AddUserAsync(string name, IReadOnlyList<string> addresses, string password, CancellationToken cancellationToken = default)
    {
        UserNames.ValidateName(name);
        ArgumentNullException.ThrowIfNull(addresses);
        UserNames.ValidatePassword(password);
        var normalized = addresses.Select(UserNames.NormalizeAddress).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

        await _addGate.WaitAsync(cancellationToken);
        try
        {
            Rescan();
            var index = _index;
            if (index.ByName.ContainsKey(name) || _fileSystem.FileExists(PathOf(name)))
            {
                throw new MailboxException(MailboxErrorKind.AlreadyExists, $"user '{name}' exists already");
            }

            if (normalized.FirstOrDefault(index.ByAddress.ContainsKey) is { } taken)
            {
                throw new MailboxException(MailboxErrorKind.AlreadyExists, $"address {taken} belongs to user '{index.ByAddress[taken].Name}'");
            }

            // Argon2id three times (backup, login hash, node seal): off the caller's thread.
            var stored = await Task.Run(() => CreateUser(name, normalized, password), cancellationToken);
            DurableFile.WriteAtomically(_fileSystem, PathOf(name), stored.Encode());
            Install(stored);
            return ToRecord(stored);
        }
        finally
        {
            _addGate.Release();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<UserRecord> ListUsers()
    {
        Rescan();
        return [.. _index.ByName.Values.OrderBy(u => u.Name, StringComparer.Ordinal).Select(ToRecord)];
    }

    /// <summary>The user with this login name or address (case-insensitive), or null.</summary>
    public UserRecord? Find(string nameOrAddress) => FindStored(nameOrAddress) is { } user ? ToRecord(user) : null;

    /// <summary>
    /// Checks a password for a login name or address. Returns the user, or null for an unknown
    /// user or a wrong password (the caller must not say which).
    /// </summary>
    public async Task<UserRecord?> VerifyPasswordAsync(string nameOrAddress, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (FindStored(nameOrAddress) is not { } user)
        {
            return null;
        }

        var tag = CredentialTag(user.Name, password);
        if (_verified.ContainsKey(tag))
        {
            return ToRecord(user);
        }

        await _argonGate.WaitAsync(cancellationToken);
        bool ok;
        try
        {
            ok = await Task.Run(() => user.Password.Verify(password), cancellationToken);
        }
        finally
        {
            _argonGate.Release();
        }

        if (!ok)
        {
            return null;
        }

        if (_verified.Count >= CredentialCacheLimit)
        {
            _verified.Clear();
        }

        _verified[tag] = 0;
        return ToRecord(user);
    }

    /// <summary>The user's POST identity, opened with the node key (the caller disposes it).</summary>
    internal UserIdentity OpenIdentity(string name)
    {
        var user = FindStored(name) ?? throw new MailboxException(MailboxErrorKind.NotFound, $"no user '{name}'");
        return KeyBackup.Restore(user.NodeSealedKeys, NodeKey.DerivePassphrase("user:" + user.Name));
    }

    internal StoredUser? FindStored(string nameOrAddress)
    {
        if (string.IsNullOrEmpty(nameOrAddress))
        {
            return null;
        }

        var key = UserNames.TryNormalizeAddress(nameOrAddress, out var address) ? address : nameOrAddress;
        if (Lookup(_index, key) is { } user)
        {
            return user;
        }

        // A miss may be a user added by the CLI since the last scan.
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Interlocked.Read(ref _lastScan), now) < RescanInterval)
        {
            return null;
        }

        Rescan();
        return Lookup(_index, key);
    }

    private static StoredUser? Lookup(Index index, string key) =>
        index.ByName.TryGetValue(key, out var byName) ? byName : index.ByAddress.GetValueOrDefault(key);

    private StoredUser CreateUser(string name, string[] addresses, string password)
    {
        UserIdentity identity;
        if (_fileSystem.FileExists(_keyFiles.PathOf(name)))
        {
            // Keys made earlier by `identity create` (or an add cut short by a crash): reuse them
            // when the password opens them, so mail and the backup stay one identity.
            try
            {
                identity = KeyBackup.Restore(DurableFile.ReadAll(_fileSystem, _keyFiles.PathOf(name)), password);
            }
            catch (WrongPassphraseException)
            {
                throw new ArgumentException($"{_keyFiles.PathOf(name)} exists and this password does not open it: use the same password or move the file away", nameof(password));
            }
        }
        else
        {
            identity = UserIdentity.Create(_random);
            DurableFile.WriteAtomically(_fileSystem, _keyFiles.PathOf(name), KeyBackup.Seal(identity, password, _costs.Backup, _random));
        }

        using (identity)
        {
            var hash = PasswordHash.Create(password, _costs.PasswordMemoryKiB, _costs.PasswordPasses, _random);
            var nodeSealed = KeyBackup.Seal(identity, NodeKey.DerivePassphrase("user:" + name), NodeSealCost, _random);
            return new StoredUser(name, addresses, hash, identity.Id.ToString(), nodeSealed);
        }
    }

    private void Rescan()
    {
        lock (_scanLock)
        {
            Interlocked.Exchange(ref _lastScan, _time.GetTimestamp());
            if (!_fileSystem.DirectoryExists(_usersDirectory))
            {
                return;
            }

            foreach (var file in _fileSystem.List(_usersDirectory))
            {
                if (!file.EndsWith(Extension, StringComparison.Ordinal) || _index.ByName.ContainsKey(file[..^Extension.Length]))
                {
                    continue;
                }

                try
                {
                    var user = StoredUser.Decode(DurableFile.ReadAll(_fileSystem, Path.Combine(_usersDirectory, file)));
                    if (user.Name == file[..^Extension.Length])
                    {
                        Install(user);
                    }
                }
                catch (Exception e) when (e is FormatException or IOException)
                {
                    // A damaged file hides one user; it must not stop the node serving the others.
                }
            }
        }
    }

    private void Install(StoredUser user)
    {
        lock (_scanLock)
        {
            var index = _index;
            var byName = new Dictionary<string, StoredUser>(index.ByName, StringComparer.OrdinalIgnoreCase) { [user.Name] = user };
            var byAddress = new Dictionary<string, StoredUser>(index.ByAddress, StringComparer.OrdinalIgnoreCase);
            foreach (var address in user.Addresses)
            {
                byAddress.TryAdd(address, user);
            }

            _index = new Index(byName, byAddress);
        }
    }

    private string PathOf(string name) => Path.Combine(_usersDirectory, name + Extension);

    private string CredentialTag(string name, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_credentialKey, Encoding.UTF8.GetBytes(name + "\0" + password)));

    private static UserRecord ToRecord(StoredUser user) => new(user.Name, user.Addresses, user.PublicId);

    private sealed record Index(IReadOnlyDictionary<string, StoredUser> ByName, IReadOnlyDictionary<string, StoredUser> ByAddress)
    {
        public static Index Empty { get; } = new(
            new Dictionary<string, StoredUser>(StringComparer.OrdinalIgnoreCase),
            new Dictionary<string, StoredUser>(StringComparer.OrdinalIgnoreCase));
    }
}
