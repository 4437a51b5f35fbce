namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>How STORE combines the given flags with a message's flags (RFC 9051 §6.4.6).</summary>
public enum FlagOperation
{
    Replace,
    Add,
    Remove,
}
