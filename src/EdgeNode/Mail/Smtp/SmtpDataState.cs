namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// What <see cref="SmtpDataReader"/> must remember between reads of one DATA text: the limits,
/// what has been counted so far, and the first error met. Create one per message.
/// </summary>
public struct SmtpDataState
{
    public SmtpDataState(int maxLineLength, int maxHeaderBytes, long maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 3);
        MaxLineLength = maxLineLength;
        MaxHeaderBytes = maxHeaderBytes;
        MaxMessageBytes = maxMessageBytes;
        InHeader = true;
    }

    /// <summary>Longest text line accepted, counting its CRLF and any leading stuffed dot.</summary>
    public int MaxLineLength { get; }

    public int MaxHeaderBytes { get; }

    public long MaxMessageBytes { get; }

    /// <summary>Message bytes counted so far (after dot-unstuffing, with CRLFs).</summary>
    public long MessageBytes { readonly get; internal set; }

    /// <summary>Header bytes counted so far (RFC 5322 §2.1: up to the first empty line).</summary>
    public long HeaderBytes { readonly get; internal set; }

    public bool InHeader { readonly get; internal set; }

    /// <summary>The rest of an overlong line is being dropped up to its CRLF.</summary>
    public bool IsDiscarding { readonly get; internal set; }

    /// <summary>The first error; once set, no further text is written to the sink.</summary>
    public SmtpDataError Error { readonly get; internal set; }
}
