namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>Which text of a section BODY[...] / BINARY[...] names (RFC 9051 §6.4.5).</summary>
public enum SectionText
{
    /// <summary>The whole part (BODY[] or BODY[1.2]).</summary>
    All,
    Header,
    HeaderFields,
    HeaderFieldsNot,
    Text,
    Mime,
}

/// <summary>
/// A parsed section specification: <c>BODY[1.2.HEADER.FIELDS (From To)]&lt;0.100&gt;</c> is
/// Part = [1, 2], Text = HeaderFields, Fields = ["From", "To"], PartialStart = 0, PartialLength = 100.
/// </summary>
public sealed record BodySection(
    IReadOnlyList<int> Part,
    SectionText Text,
    IReadOnlyList<string> Fields,
    long? PartialStart = null,
    long? PartialLength = null);
