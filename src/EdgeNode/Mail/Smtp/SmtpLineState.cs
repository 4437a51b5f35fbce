namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// What <see cref="SmtpCommandParser"/> must remember between reads of one connection: whether it is
/// discarding the rest of an overlong line that it has already reported as
/// <see cref="SmtpCommandKind.LineTooLong"/>. Start each connection with <c>default</c>.
/// </summary>
public struct SmtpLineState
{
    public bool IsDiscarding { readonly get; internal set; }
}
