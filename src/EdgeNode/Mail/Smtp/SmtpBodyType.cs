namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>The BODY= parameter of MAIL FROM (RFC 6152 §2, RFC 3030 §3).</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter was given.</summary>
    None = 0,
    SevenBit,
    EightBitMime,
    BinaryMime,
}
