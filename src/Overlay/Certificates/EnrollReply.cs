using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// The inviter's answer to an <see cref="EnrollRequest"/>: the new certificate, or why not.
/// Exactly one of the two is set. Equality is by content.
/// </summary>
/// <remarks>
/// Encoding: version (1) || kind (1 = certificate, 2 = refusal) || the certificate's encoding,
/// or the refusal as u16 length + UTF-8 (at most <see cref="MaxRefusalBytes"/>).
/// </remarks>
public sealed record EnrollReply(NodeCertificate? Certificate, string? Refusal)
{
    /// <summary>The encoding version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Longest refusal text, in UTF-8 bytes.</summary>
    public const int MaxRefusalBytes = 1024;

    private const byte KindCertificate = 1;
    private const byte KindRefusal = 2;

    /// <summary>A reply carrying <paramref name="certificate"/>.</summary>
    public static EnrollReply Issued(NodeCertificate certificate) => new(certificate ?? throw new ArgumentNullException(nameof(certificate)), null);

    /// <summary>A reply refusing, for <paramref name="reason"/>.</summary>
    public static EnrollReply Refused(string reason) => new(null, reason ?? throw new ArgumentNullException(nameof(reason)));

    /// <summary>The reply's bytes.</summary>
    public byte[] Encode()
    {
        var writer = new WireWriter();
        writer.WriteByte(CurrentVersion);
        if (Certificate is not null && Refusal is null)
        {
            writer.WriteByte(KindCertificate);
            writer.WriteBytes(Certificate.Encoded.Span);
        }
        else if (Certificate is null && Refusal is not null)
        {
            var text = Encoding.UTF8.GetBytes(Refusal);
            if (text.Length > MaxRefusalBytes)
            {
                throw new InvalidOperationException($"a refusal is at most {MaxRefusalBytes} UTF-8 bytes");
            }

            writer.WriteByte(KindRefusal);
            writer.WriteUInt16((ushort)text.Length);
            writer.WriteBytes(text);
        }
        else
        {
            throw new InvalidOperationException("an enrollment reply holds either a certificate or a refusal");
        }

        return writer.ToArray();
    }

    /// <summary>Decodes exactly one reply filling all of <paramref name="bytes"/>; false, never an exception, for anything else.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out EnrollReply? reply)
    {
        reply = null;
        var reader = new WireReader(bytes);
        if (!reader.TryReadByte(out var version) || version != CurrentVersion || !reader.TryReadByte(out var kind))
        {
            return false;
        }

        switch (kind)
        {
            case KindCertificate:
                if (!NodeCertificate.TryDecode(reader.Rest, out var certificate, out var consumed))
                {
                    return false;
                }

                reader.Skip(consumed);
                if (!reader.AtEnd)
                {
                    return false;
                }

                reply = new EnrollReply(certificate, null);
                return true;

            case KindRefusal:
                if (!reader.TryReadUInt16(out var length) || length > MaxRefusalBytes
                    || !reader.TryReadBytes(length, out var text) || !reader.AtEnd || !Utf8.IsValid(text))
                {
                    return false;
                }

                reply = new EnrollReply(null, Encoding.UTF8.GetString(text));
                return true;

            default:
                return false;
        }
    }

    /// <inheritdoc />
    public bool Equals(EnrollReply? other) =>
        other is not null && Equals(Certificate, other.Certificate) && string.Equals(Refusal, other.Refusal, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Certificate, Refusal);
}
