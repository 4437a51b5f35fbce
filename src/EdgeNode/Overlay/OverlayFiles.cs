using System.Security.Cryptography;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// The node's overlay membership on disk, in DATA/overlay: <c>node.key</c> (this node's private
/// keys and certificate), <c>overlay.json</c> (founding public key, endpoint, bootstraps),
/// <c>founder.key</c> (only on the node that created the overlay) and <c>invites</c> (the
/// pending invitations' hashes). Secrets are written with mode 0600 before any secret byte goes in.
/// </summary>
internal sealed class OverlayFiles(IFileSystem fileSystem, string dataDirectory, TimeProvider time)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Directory => Path.Combine(dataDirectory, "overlay");

    public string NodeKeyPath => Path.Combine(Directory, "node.key");

    public string SettingsPath => Path.Combine(Directory, "overlay.json");

    public string FounderKeyPath => Path.Combine(Directory, "founder.key");

    public string InvitesPath => Path.Combine(Directory, "invites");

    public string InvitesLockPath => Path.Combine(Directory, "invites.lock");

    /// <summary>This node has an overlay identity (node.key is written last, so it marks a complete membership).</summary>
    public bool HasIdentity => fileSystem.FileExists(NodeKeyPath);

    public bool HasFounder => fileSystem.FileExists(FounderKeyPath);

    /// <exception cref="InvalidDataException">node.key is not an identity export.</exception>
    public NodeIdentity ReadIdentity()
    {
        var bytes = ReadAll(NodeKeyPath);
        try
        {
            return NodeIdentity.Import(bytes);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{NodeKeyPath}: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>null when this node did not found the overlay.</summary>
    /// <exception cref="InvalidDataException">founder.key is not a founder export.</exception>
    public OverlayFounder? ReadFounder()
    {
        if (!HasFounder)
        {
            return null;
        }

        var bytes = ReadAll(FounderKeyPath);
        try
        {
            return OverlayFounder.Import(bytes);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{FounderKeyPath}: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <exception cref="InvalidDataException">overlay.json is missing or unreadable.</exception>
    public OverlaySettings ReadSettings()
    {
        if (!fileSystem.FileExists(SettingsPath))
        {
            throw new InvalidDataException($"{SettingsPath} is missing: the overlay membership is incomplete");
        }

        try
        {
            return OverlaySettings.Parse(ReadAll(SettingsPath));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{SettingsPath}: {e.Message}", e);
        }
    }

    public void WriteIdentity(NodeIdentity identity)
    {
        var bytes = identity.Export();
        try
        {
            WriteAtomically(NodeKeyPath, bytes, secret: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public void WriteFounder(OverlayFounder founder)
    {
        var bytes = founder.Export();
        try
        {
            WriteAtomically(FounderKeyPath, bytes, secret: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public void WriteSettings(OverlaySettings settings) => WriteAtomically(SettingsPath, settings.Render(), secret: false);

    /// <summary>
    /// Reads the invite ledger, lets <paramref name="change"/> use it, and writes it back when its
    /// pending count changed: all under invites.lock, so concurrent writers (the CLI's
    /// <c>invite</c>, the node's enrollment answers) serialise instead of losing invitations or
    /// reviving spent ones.
    /// </summary>
    /// <exception cref="InvalidDataException">The ledger file is not a ledger export.</exception>
    public T UpdateInvites<T>(Func<InviteLedger, T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        fileSystem.CreateDirectory(Directory);
        using var held = InviteLock.Acquire(InvitesLockPath, time);
        InviteLedger ledger;
        if (fileSystem.FileExists(InvitesPath))
        {
            try
            {
                ledger = InviteLedger.Import(ReadAll(InvitesPath));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{InvitesPath}: {e.Message}", e);
            }
        }
        else
        {
            ledger = new InviteLedger();
        }

        var before = ledger.Pending;
        var result = change(ledger);
        if (ledger.Pending != before)
        {
            // The ledger holds hashes of secrets, not secrets (InviteLedger), but whoever can
            // write it can invite: keep it the owner's.
            WriteAtomically(InvitesPath, ledger.Export(), secret: true);
        }

        return result;
    }

    /// <summary>Pending invitations (0 when there is no ledger yet).</summary>
    public int PendingInvites() => UpdateInvites(ledger => ledger.Pending);

    /// <summary>Temporary name, mode 0600 for secrets, write, fsync, rename, fsync the folder: a power cut leaves the old file or the new one.</summary>
    private void WriteAtomically(string path, byte[] content, bool secret)
    {
        fileSystem.CreateDirectory(Directory);
        var temporary = path + ".tmp";
        fileSystem.Delete(temporary);
        using (var file = fileSystem.Open(temporary, FileOpenMode.CreateNew))
        {
            if (secret && fileSystem is PhysicalFileSystem && !OperatingSystem.IsWindows())
            {
                // IFileSystem has no permission operation: set the mode on the real file, still
                // empty. (The simulated disk has no modes.)
                File.SetUnixFileMode(temporary, OwnerOnly);
            }

            file.Write(0, content);
            file.Sync();
        }

        fileSystem.Rename(temporary, path);
        fileSystem.SyncDirectory(Directory);
    }

    private byte[] ReadAll(string path)
    {
        using var file = fileSystem.Open(path, FileOpenMode.ReadOnly);
        var bytes = new byte[file.Length];
        file.Read(0, bytes);
        return bytes;
    }
}
