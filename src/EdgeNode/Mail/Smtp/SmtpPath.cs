namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// A reverse- or forward-path (RFC 5321 §4.1.2) with any source route dropped (RFC 5321 §4.1.1.3,
/// appendix C). <see cref="LocalPart"/> is kept as written, so a quoted local part keeps its quotes
/// and backslashes. <see cref="Domain"/> is a domain or an address literal with its brackets, and is
/// empty for the null path "&lt;&gt;" and for "&lt;Postmaster&gt;" (RFC 5321 §4.1.1.3).
/// <see cref="IsUtf8"/> says the address holds non-ASCII octets and so needs SMTPUTF8 (RFC 6531 §3.3).
/// </summary>
public sealed record SmtpPath(string LocalPart, string Domain, bool IsUtf8)
{
    /// <summary>The null reverse-path "&lt;&gt;" (RFC 5321 §4.5.5), used for bounces.</summary>
    public static SmtpPath Null { get; } = new(string.Empty, string.Empty, false);

    public bool IsNull => LocalPart.Length == 0 && Domain.Length == 0;

    public override string ToString() =>
        IsNull ? "<>" : Domain.Length == 0 ? $"<{LocalPart}>" : $"<{LocalPart}@{Domain}>";
}
