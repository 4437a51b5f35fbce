namespace EPostEdge.EdgeNode.Mail.Imap.Search;

/// <summary>A parsed SEARCH: the program and, for ESEARCH, what to return.</summary>
/// <param name="Key">The criteria (an AND of the top-level keys).</param>
/// <param name="Return">Null for a classic <c>* SEARCH</c> answer; RETURN () means ALL.</param>
public sealed record SearchRequest(SearchKey Key, SearchReturn? Return);
