namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>Why a mailbox operation was refused; protocol code maps each to its reply.</summary>
public enum MailboxErrorKind
{
    /// <summary>No such folder (IMAP NO [NONEXISTENT]).</summary>
    NotFound,

    /// <summary>The folder exists already (IMAP NO [ALREADYEXISTS]).</summary>
    AlreadyExists,

    /// <summary>INBOX cannot be deleted, a name is not valid, … (IMAP NO [CANNOT]).</summary>
    NotAllowed,

    /// <summary>The disk quota is reached: retry later (SMTP 452 4.3.1, IMAP NO [OVERQUOTA]).</summary>
    OverQuota,

    /// <summary>The message is larger than allowed (SMTP 552 5.3.4, IMAP NO [TOOBIG]).</summary>
    TooBig,
}
