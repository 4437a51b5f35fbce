namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>What an envelope recipient is to this node (RFC 5321 §3.6: never an open relay).</summary>
public enum RecipientKind
{
    /// <summary>A user of this node: delivered to their INBOX.</summary>
    LocalUser,

    /// <summary>One of this node's domains, but no such user: 550 5.1.1.</summary>
    UnknownLocalUser,

    /// <summary>Another domain: accepted only from an authenticated sender, then queued.</summary>
    Remote,
}
