using EPostEdge.EdgeNode.Mail.Imap.Commands;
using EPostEdge.EdgeNode.Mail.Mailbox;

namespace EPostEdge.EdgeNode.Mail.Imap.Search;

/// <summary>A node of a parsed SEARCH program.</summary>
public sealed record SearchKey(
    SearchKeyKind Kind,
    IReadOnlyList<SearchKey>? Children = null,
    MessageFlags Flag = MessageFlags.None,
    string? Field = null,
    string? Text = null,
    DateOnly Date = default,
    long Number = 0,
    SequenceSet? Set = null)
{
    /// <summary>True when evaluating needs the message bytes (headers or text).</summary>
    public bool NeedsMessage => Kind switch
    {
        SearchKeyKind.Header or SearchKeyKind.Body or SearchKeyKind.Text
            or SearchKeyKind.SentBefore or SearchKeyKind.SentOn or SearchKeyKind.SentSince => true,
        SearchKeyKind.And or SearchKeyKind.Or or SearchKeyKind.Not => Children!.Any(static c => c.NeedsMessage),
        _ => false,
    };
}
