using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Identity;

/// <summary>
/// The household's user keys on this node: one passphrase-sealed backup file per user in
/// <c>data/keys/NAME.epkb</c> (ePOST's lesson: lost key material must be recoverable). The same
/// file is the backup: copy it off the node, and <c>identity restore</c> brings a user back on a
/// new node with the passphrase.
/// </summary>
internal sealed class KeyFiles(IFileSystem fileSystem, string dataDirectory)
{
    public string Directory => Path.Combine(dataDirectory, "keys");

    public string PathOf(string user) => Path.Combine(Directory, user + ".epkb");

    /// <summary>Creates a user's keys and writes them sealed; refuses to replace existing keys.</summary>
    public UserPublicKeys Create(string user, string passphrase, IRandomSource random, KeyBackupParameters parameters)
    {
        using var identity = UserIdentity.Create(random);
        Write(user, KeyBackup.Seal(identity, passphrase, parameters, random));
        return identity.PublicKeys;
    }

    /// <summary>Checks a backup opens with <paramref name="passphrase"/>, then installs it for <paramref name="user"/>.</summary>
    /// <exception cref="WrongPassphraseException">The passphrase does not open it (or it was altered).</exception>
    public UserPublicKeys Restore(string user, byte[] backup, string passphrase)
    {
        using var identity = KeyBackup.Restore(backup, passphrase);
        Write(user, backup);
        return identity.PublicKeys;
    }

    /// <summary>A user's public keys, read without the passphrase; null when the user has no keys here.</summary>
    public UserPublicKeys? Show(string user) =>
        fileSystem.FileExists(PathOf(user)) ? KeyBackup.ReadPublicKeys(ReadAll(PathOf(user))) : null;

    private void Write(string user, byte[] sealedKeys)
    {
        if (string.IsNullOrWhiteSpace(user) || user.IndexOfAny(['/', '\\', '\0']) >= 0 || user.StartsWith('.'))
        {
            throw new ArgumentException($"'{user}' is not a user name (letters, digits, dots inside, no slashes)", nameof(user));
        }

        fileSystem.CreateDirectory(Directory);
        var path = PathOf(user);
        if (fileSystem.FileExists(path))
        {
            throw new IOException($"{path} already exists: keys are never overwritten (move the file away first)");
        }

        // Written under a temporary name, fsynced, then renamed: a power cut leaves either no key
        // file or a whole one.
        var temporary = path + ".tmp";
        fileSystem.Delete(temporary);
        using (var file = fileSystem.Open(temporary, FileOpenMode.CreateNew))
        {
            file.Write(0, sealedKeys);
            file.Sync();
        }

        fileSystem.Rename(temporary, path);
        fileSystem.SyncDirectory(Directory);
    }

    /// <summary>Reads a backup file from anywhere (a USB stick, a download).</summary>
    public byte[] ReadBackup(string path)
    {
        if (!fileSystem.FileExists(path))
        {
            throw new FileNotFoundException($"no backup file at {path}", path);
        }

        return ReadAll(path);
    }

    private byte[] ReadAll(string path)
    {
        using var file = fileSystem.Open(path, FileOpenMode.ReadOnly);
        var bytes = new byte[file.Length];
        file.Read(0, bytes);
        return bytes;
    }
}
