namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>RFC 6154 special-use attributes of a folder (INBOX is not one: it is named).</summary>
public enum SpecialUse
{
    None = 0,
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
}
