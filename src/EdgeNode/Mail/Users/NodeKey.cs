using System.Security.Cryptography;
using System.Text;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Mail.Users;

/// <summary>
/// The node's own secret: 32 random bytes in <c>DATA/node.key</c>, created once. It seals each
/// user's POST identity a second time (beside the passphrase-sealed backup) so the running node
/// can write a user's logs while the user is not logged in (POST: the owner's home node writes
/// its logs). Whoever reads the data folder's node.key can open those copies, so the file must
/// be mode 0600 and owned by the service user.
/// </summary>
/// <remarks>
/// The <see cref="IFileSystem"/> seam has no chmod: the file is created under the process umask.
/// The systemd unit runs the node with <c>UMask=0077</c>, which makes it 0600; a deployment
/// without that must chmod it.
/// </remarks>
public sealed class NodeKey
{
    /// <summary>Length of the key.</summary>
    public const int Size = 32;

    private readonly byte[] _key;

    private NodeKey(byte[] key) => _key = key;

    /// <summary>Path of the key file in <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, "node.key");

    /// <summary>Reads DATA/node.key, or creates it (atomically, once) from <paramref name="random"/>.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not 32 bytes.</exception>
    public static NodeKey LoadOrCreate(IFileSystem fileSystem, string dataDirectory, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(random);
        var path = PathIn(dataDirectory);
        if (!fileSystem.FileExists(path))
        {
            var fresh = new byte[Size];
            random.NextBytes(fresh);
            DurableFile.WriteAtomically(fileSystem, path, fresh);
        }

        var key = DurableFile.ReadAll(fileSystem, path);
        return key.Length == Size ? new NodeKey(key) : throw new InvalidDataException($"{path} holds {key.Length} bytes, a node key is {Size}");
    }

    /// <summary>
    /// A high-entropy passphrase for <paramref name="purpose"/> (HMAC-SHA256 of the node key, RFC
    /// 2104), used to seal key backups the node itself must open without a user.
    /// </summary>
    public string DerivePassphrase(string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("epost-edge node key v1|" + purpose)));
    }
}
