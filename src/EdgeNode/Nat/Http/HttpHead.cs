namespace EPostEdge.EdgeNode.Nat.Http;

/// <summary>A response's status line and header fields (RFC 9112 §4, §5), as parsed by <see cref="HttpCodec"/>.</summary>
/// <param name="StatusCode">The three-digit status code.</param>
/// <param name="Reason">The reason phrase (may be empty).</param>
/// <param name="Headers">Field values by case-insensitive name; repeated fields joined with ", " (RFC 9110 §5.3).</param>
/// <param name="Length">Bytes of the head, through the empty line.</param>
internal sealed record HttpHead(int StatusCode, string Reason, IReadOnlyDictionary<string, string> Headers, int Length)
{
    /// <summary>The field's value, or null when absent.</summary>
    public string? this[string name] => Headers.TryGetValue(name, out var value) ? value : null;
}
