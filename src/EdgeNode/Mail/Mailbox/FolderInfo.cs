namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>A folder as LIST shows it.</summary>
/// <param name="Name">Full name with '/' as the hierarchy delimiter; "INBOX" is always spelled so.</param>
/// <param name="SpecialUse">RFC 6154 attribute.</param>
/// <param name="Subscribed">RFC 9051 §6.3.7 subscription.</param>
public sealed record FolderInfo(string Name, SpecialUse SpecialUse, bool Subscribed);
