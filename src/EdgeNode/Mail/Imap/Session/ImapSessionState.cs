namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>RFC 9051 §3 connection states.</summary>
internal enum ImapSessionState
{
    NotAuthenticated,
    Authenticated,
    Selected,
    Logout,
}
