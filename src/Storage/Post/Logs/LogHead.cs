using System.Buffers.Binary;
using System.Text;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Post;

/// <summary>
/// The mutable, signed pointer to a log's newest entry (POST, Mislove et al.: the log head is
/// the only mutable block; it is signed by the owner and carries a version counter so a
/// replica never takes an older head for a newer one).
/// </summary>
/// <remarks>
/// Encoding v1 (big-endian):
/// <code>
/// body:  version u8 = 1 | owner UserPublicKeys [64] | name length u8 (1..255) | name UTF-8
///        | head version u64 | flags u8 (bit 0: has newest) | newest entry BlockKey [32] if flagged
/// wire:  body | Ed25519 signature [64] over ("epost-edge/log-head/v1" || body)
/// </code>
/// The fixed prefix domain-separates head signatures from anything else the key signs. The
/// encoding is canonical (strict UTF-8, no spare flag bits, no trailing bytes), so
/// <c>Decode(Encode(h))</c> is byte-identical and equal content means equal bytes.
/// </remarks>
public sealed class LogHead
{
    /// <summary>The encoding version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Longest log name, in UTF-8 bytes.</summary>
    public const int MaxLogNameBytes = 255;

    private const byte HasNewestFlag = 0x01;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] SignatureDomain = Encoding.ASCII.GetBytes("epost-edge/log-head/v1");

    private readonly byte[] _signature;

    /// <summary>Assembles a head from its parts and a signature (not checked here: see <see cref="VerifySignature"/>).</summary>
    /// <exception cref="ArgumentException">The log name is empty, too long or not valid Unicode, or the signature is not 64 bytes.</exception>
    public LogHead(UserPublicKeys owner, string logName, ulong version, BlockKey? newest, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ValidateLogName(logName);
        if (signature.Length != UserPublicKeys.SignatureSize)
        {
            throw new ArgumentException($"a signature is {UserPublicKeys.SignatureSize} bytes", nameof(signature));
        }

        Owner = owner;
        LogName = logName;
        Version = version;
        Newest = newest;
        _signature = signature.ToArray();
    }

    /// <summary>The owner: the only user whose signature makes this head valid.</summary>
    public UserPublicKeys Owner { get; }

    /// <summary>The log's name within the owner's logs (e.g. "INBOX").</summary>
    public string LogName { get; }

    /// <summary>Version counter: each new head of a log has a higher one.</summary>
    public ulong Version { get; }

    /// <summary>Key of the newest entry; null for an empty log.</summary>
    public BlockKey? Newest { get; }

    /// <summary>The owner's Ed25519 signature over <see cref="SignedMessage"/>.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Makes a head signed by <paramref name="owner"/>.</summary>
    public static LogHead Sign(UserIdentity owner, string logName, ulong version, BlockKey? newest)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var message = SignedMessage(owner.PublicKeys, logName, version, newest);
        return new LogHead(owner.PublicKeys, logName, version, newest, owner.Sign(message));
    }

    /// <summary>The exact bytes a head's signature covers: the domain prefix then the body.</summary>
    public static byte[] SignedMessage(UserPublicKeys owner, string logName, ulong version, BlockKey? newest)
    {
        var body = EncodeBody(owner, logName, version, newest);
        var message = new byte[SignatureDomain.Length + body.Length];
        SignatureDomain.CopyTo(message, 0);
        body.CopyTo(message, SignatureDomain.Length);
        return message;
    }

    /// <summary>Whether the owner signed exactly this head.</summary>
    public bool VerifySignature() => Owner.Verify(SignedMessage(Owner, LogName, Version, Newest), _signature);

    /// <summary>Whether <paramref name="other"/> says the same thing (owner, name, version, newest), signature aside.</summary>
    public bool HasSameContent(LogHead other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Owner.Equals(other.Owner) && string.Equals(LogName, other.LogName, StringComparison.Ordinal)
            && Version == other.Version && Newest == other.Newest;
    }

    /// <summary>The canonical wire encoding (body then signature).</summary>
    public byte[] Encode()
    {
        var body = EncodeBody(Owner, LogName, Version, Newest);
        var wire = new byte[body.Length + _signature.Length];
        body.CopyTo(wire, 0);
        _signature.CopyTo(wire, body.Length);
        return wire;
    }

    /// <summary>Decodes the wire encoding. The signature is not checked here.</summary>
    /// <exception cref="PostFormatException">The bytes are not a log head.</exception>
    public static LogHead Decode(ReadOnlySpan<byte> encoded) =>
        TryDecode(encoded, out var head, out var problem) ? head : throw new PostFormatException("log head: " + problem);

    /// <summary>Decodes the wire encoding; false when it is not one. The signature is not checked here.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LogHead? head) =>
        TryDecode(encoded, out head, out _);

    /// <summary>Owner, name, version and newest key; never the signature bytes.</summary>
    public override string ToString() => $"LogHead {Owner.Id}/{LogName} v{Version} -> {(Newest is { } n ? n.ToString() : "(empty)")}";

    private static bool TryDecode(ReadOnlySpan<byte> encoded, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LogHead? head, out string problem)
    {
        head = null;
        var reader = new PostReader(encoded);
        if (!reader.TryReadByte(out var format) || format != FormatVersion)
        {
            problem = "missing or unsupported format version";
            return false;
        }

        if (!reader.TryReadBytes(UserPublicKeys.EncodedSize, out var ownerBytes) || !UserPublicKeys.TryDecode(ownerBytes, out var owner))
        {
            problem = "truncated or invalid owner keys";
            return false;
        }

        if (!reader.TryReadByte(out var nameLength) || nameLength == 0 || !reader.TryReadBytes(nameLength, out var nameBytes))
        {
            problem = "missing, empty or truncated log name";
            return false;
        }

        string name;
        try
        {
            name = StrictUtf8.GetString(nameBytes);
        }
        catch (DecoderFallbackException)
        {
            problem = "log name is not valid UTF-8";
            return false;
        }

        if (!reader.TryReadUInt64(out var version) || !reader.TryReadByte(out var flags) || (flags & ~HasNewestFlag) != 0)
        {
            problem = "truncated version or unknown flags";
            return false;
        }

        BlockKey? newest = null;
        if ((flags & HasNewestFlag) != 0)
        {
            if (!reader.TryReadBytes(BlockKey.Size, out var newestBytes))
            {
                problem = "truncated newest entry key";
                return false;
            }

            newest = new BlockKey(newestBytes);
        }

        if (!reader.TryReadBytes(UserPublicKeys.SignatureSize, out var signature) || reader.Remaining != 0)
        {
            problem = "signature missing, truncated or followed by trailing bytes";
            return false;
        }

        head = new LogHead(owner, name, version, newest, signature);
        problem = string.Empty;
        return true;
    }

    private static byte[] EncodeBody(UserPublicKeys owner, string logName, ulong version, BlockKey? newest)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var nameBytes = ValidateLogName(logName);
        var body = new byte[1 + UserPublicKeys.EncodedSize + 1 + nameBytes.Length + sizeof(ulong) + 1 + (newest is null ? 0 : BlockKey.Size)];
        var offset = 0;
        body[offset++] = FormatVersion;
        owner.Encode(body.AsSpan(offset, UserPublicKeys.EncodedSize));
        offset += UserPublicKeys.EncodedSize;
        body[offset++] = (byte)nameBytes.Length;
        nameBytes.CopyTo(body, offset);
        offset += nameBytes.Length;
        BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(offset), version);
        offset += sizeof(ulong);
        if (newest is { } n)
        {
            body[offset++] = HasNewestFlag;
            n.Span.CopyTo(body.AsSpan(offset));
        }
        else
        {
            body[offset] = 0;
        }

        return body;
    }

    private static byte[] ValidateLogName(string logName)
    {
        ArgumentException.ThrowIfNullOrEmpty(logName);
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(logName);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("a log name must be valid Unicode", nameof(logName), e);
        }

        return bytes.Length <= MaxLogNameBytes
            ? bytes
            : throw new ArgumentException($"a log name is at most {MaxLogNameBytes} UTF-8 bytes", nameof(logName));
    }
}
