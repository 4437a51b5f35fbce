namespace EPostEdge.EdgeNode.Mail.Imap.Search;

/// <summary>RFC 4731 / RFC 9051 §6.4.4 RETURN options of an extended SEARCH.</summary>
[Flags]
public enum SearchReturn
{
    None = 0,
    Min = 1,
    Max = 2,
    All = 4,
    Count = 8,
}
