namespace EPostEdge.EdgeNode.Mail.Imap.Search;

/// <summary>SEARCH keys (RFC 9051 §6.4.4, RFC 7162 §3.1.5), with FROM/TO/CC/BCC/SUBJECT folded into <see cref="Header"/>.</summary>
public enum SearchKeyKind
{
    All,
    And,
    Or,
    Not,

    /// <summary>Has the system flag in <see cref="SearchKey.Flag"/>.</summary>
    Flag,

    /// <summary>Lacks the system flag in <see cref="SearchKey.Flag"/>.</summary>
    NoFlag,
    Keyword,
    Unkeyword,

    /// <summary>RECENT, NEW: this server never reports \Recent (RFC 9051 drops it), so nothing matches.</summary>
    None,
    Before,
    On,
    Since,
    SentBefore,
    SentOn,
    SentSince,
    Larger,
    Smaller,
    Header,
    Body,
    Text,
    Uid,
    SequenceSet,
    ModSeq,
}
