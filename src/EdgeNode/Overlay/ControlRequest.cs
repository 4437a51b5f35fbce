using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>One parsed line of the control channel.</summary>
/// <param name="Verb">What it asks for.</param>
/// <param name="Content">A PUT's bytes (empty otherwise).</param>
/// <param name="Key">A GET's content key.</param>
/// <param name="Error">Why the line is <see cref="ControlVerb.Invalid"/>; null otherwise.</param>
internal readonly record struct ControlRequest(ControlVerb Verb, byte[] Content, BlockKey Key, string? Error)
{
    /// <summary>A line that is not a valid request.</summary>
    public static ControlRequest Invalid(string error) => new(ControlVerb.Invalid, [], default, error);
}
