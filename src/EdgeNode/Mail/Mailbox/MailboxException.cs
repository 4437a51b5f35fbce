namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>A mailbox operation refused for a reason the client should hear (see <see cref="Kind"/>).</summary>
public sealed class MailboxException : Exception
{
    public MailboxException()
    {
    }

    public MailboxException(string message)
        : base(message)
    {
    }

    public MailboxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MailboxException(MailboxErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public MailboxErrorKind Kind { get; }
}
